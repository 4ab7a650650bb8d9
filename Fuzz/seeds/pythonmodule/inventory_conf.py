# -*- mode: python -*-
from progfiguration import sitewrapper
from progfiguration.sitehelpers.invconf import hosts_conf, secrets_conf
from progfiguration.sitehelpers import siteversion

sitewrapper.set_progfigsite_by_module_name("site")
hoststore = hosts_conf("inventory.conf")
secretstore = secrets_conf("inventory.conf")
mint_version = siteversion.mint_version_factory_from_epoch(major=1, minor=0)
if __name__ == "__main__":
    print(mint_version()); x = 1 if y else 2; z: int = 3
