"""Inventory module."""
from pathlib import Path

from progfiguration import sitewrapper
from progfiguration.sitehelpers.agesecrets import AgeSecretStore
from progfiguration.sitehelpers.memhosts import MemoryHostStore

sitewrapper.set_progfigsite_by_module_name("site")

hoststore = MemoryHostStore(
    groups={"group1": ["node1"], 'g2': ("node1", "node2")},
    node_function_map={"node1": "func1", "node2": 'func2'},
    function_role_map={
        "func1": ["settz"],
        "default": ["settz"],
    },
)

secretstore = AgeSecretStore(
    controller_age_pubkey="age1dmxq0tws40d8npseun9azpq65smpyd2kqfyj0ytlk6m7trn7nsxqnsrag2",
    decryption_age_privkey_path_list=[
        (Path(__file__).parent.parent / "controller.age").as_posix(),
        "/default/path/for/nodes/key.age",
    ],
)


def mint_version() -> str:
    from datetime import datetime

    dt = datetime.utcnow()
    epoch = int(dt.timestamp())
    return f"1.0.{epoch}"
