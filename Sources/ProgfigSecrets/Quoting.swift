/// Formats user-supplied text for error messages: double-quoted and cut short when long. Text that
/// looks like secret key material (an age or plugin secret key, a PEM private key pasted into the
/// wrong file) is never shown.
func quoted(_ text: some StringProtocol, limit: Int = 60) -> String {
    let upper = text.uppercased()
    if ["SECRET-KEY", "AGE-PLUGIN-", "PRIVATE KEY"].contains(where: { upper.contains($0) }) {
        return "(text that looks like a secret key, not shown)"
    }
    let shown = text.count > limit ? text.prefix(limit) + "…" : String(text)
    return "\"\(shown)\""
}
