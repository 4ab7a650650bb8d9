// OpenSSL 3 libcrypto, for RSA-OAEP with a label (age's ssh-rsa recipient type) only.
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/crypto.h>
