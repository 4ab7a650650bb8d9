// OpenSSL 3 libcrypto, for ssh-rsa only: RSA-OAEP with a label, and reading PEM RSA keys.
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
