/// Formats user-supplied text for error messages: double-quoted and cut short when long.
func quoted(_ text: some StringProtocol, limit: Int = 60) -> String {
    let shown = text.count > limit ? text.prefix(limit) + "…" : String(text)
    return "\"\(shown)\""
}
