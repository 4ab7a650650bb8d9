from pathlib import Path
import os

from progfiguration.inventory.nodes import InventoryNode

KEY = "age1g6gf04flzm0tk64nztfxklystvaymeznfsts56t5rs2mtrvsqg6qhyn60n"

node = InventoryNode(
    address="node1.example.com",
    user="root",
    ssh_host_fingerprint="",
    sitedata=dict(
        age_key_path=(Path(__file__).parent.parent.parent / "node1.age").as_posix(),
        age_pubkey=KEY,
        other=os.path.join(os.path.dirname(__file__), "x"),
        raw=r'\d+', bytes_=b'\x00', num=0x1F, f=f"{{}}", t=(1, 2.5e3, -3, None, True),
    ),
    roles=dict(settz={"timezone": "UTC"}, db=dict(password=SecretReference(name="db"), xs=[x for x in y])),
)
