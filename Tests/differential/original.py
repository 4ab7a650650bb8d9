"""Drives the original progfiguration (0.0.10) on a site, for progfig's differential tests.

    original.py PACKAGE_DIR COMMAND [ARGS...]

Imports the site package's inventory module as the original does (its hoststore and
secretstore are built by the site's own code) and prints the original's answers as JSON on
standard output. Run it with the current directory where relative paths should resolve.

Commands:
    answers                      nodes, groups, functions, roles, and per node/group/function lookups
    inherited NODE NAME...       get_inherited_secret's ciphertext for each NAME (or null)
    list KIND NAME               list_secrets(KIND, NAME) (KIND: node, group, special)
    decrypt KIND NAME SECRET     get_secret(...).decrypt() with the store's own key
    store NODES GROUPS CONTROLLER NAME=VALUE...
                                 encrypt_secret(store=True) for each NAME in one process (the
                                 original keeps only what one process stored); NODES/GROUPS
                                 comma-separated, CONTROLLER 0/1
"""

import importlib
import json
import os
import sys


def fresh_node_groups(hosts, node):
    """hosts.node_groups[node] as a fresh process sees it: the original caches node_groups even
    when building it failed part way, so later lookups would see a partial map."""
    hosts._node_groups = {}
    return hosts.node_groups[node]


def outcome(function):
    """The result of function(), or {"error": type name} when it raises."""
    try:
        return function()
    except Exception as exc:  # the original's failures are answers too
        return {"error": type(exc).__name__}


def main():
    package_dir = os.path.abspath(sys.argv[1])
    command = sys.argv[2]
    args = sys.argv[3:]
    sys.path.insert(0, os.path.dirname(package_dir))
    name = os.path.basename(package_dir)

    from progfiguration import sitewrapper
    from progfiguration.inventory.invstores import get_inherited_secret

    sitewrapper.set_progfigsite_by_module_name(name)
    inventory = importlib.import_module(f"{name}.inventory")
    hosts = inventory.hoststore
    secrets = inventory.secretstore

    if command == "answers":
        result = {
            "nodes": hosts.nodes,
            "groups": hosts.groups,
            "functions": hosts.functions,
            "roles": sorted(hosts.roles),
            "group_members": {g: hosts.group_members[g] for g in hosts.groups},
            "node_groups": {n: outcome(lambda: fresh_node_groups(hosts, n)) for n in hosts.nodes},
            "node_roles": {n: outcome(lambda: hosts.node_rolename_list(n)) for n in hosts.nodes},
            "node_function": {n: hosts.node_function[n] for n in hosts.nodes},
        }
    elif command == "inherited":
        node, names = args[0], args[1:]
        result = {}
        for secret_name in names:
            hosts._node_groups = {}
            found = outcome(lambda: get_inherited_secret(hosts, secrets, node, secret_name).secret)
            result[secret_name] = None if isinstance(found, dict) else found
    elif command == "list":
        result = sorted(secrets.list_secrets(args[0], args[1]))
    elif command == "decrypt":
        result = secrets.get_secret(args[0], args[1], args[2]).decrypt()
    elif command == "store":
        nodes, groups, controller = args[0], args[1], args[2]
        nodes = [n for n in nodes.split(",") if n]
        groups = [g for g in groups.split(",") if g]
        if controller == "1":
            # The original stores to the controller only once its collection is loaded.
            secrets.list_secrets("special", "controller")
        result = []
        for pair in args[3:]:
            secret_name, value = pair.split("=", 1)
            result.append(secrets.encrypt_secret(hosts, secret_name, value, nodes, groups, controller == "1", store=True))
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
