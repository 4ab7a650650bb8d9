/* The most progfig's bulk encryption could reach with libsodium on this machine: every core reads
 * its own 64 KiB chunks of FILE with pread(2) and seals them in place with libsodium's
 * ChaCha20-Poly1305, and nothing else happens (no header, no output, no ordering).
 * Prints the throughput in GB/s.  Build: cc -O2 aead-io-ceiling.c -lsodium -lpthread
 * Usage: aead-io-ceiling FILE [THREADS]   (THREADS defaults to the number of online cores) */
#include <sodium.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { CHUNK = 64 * 1024, TAG = 16 };

static int fd;
static long chunk_count;
static atomic_long next_chunk;

static void *seal_chunks(void *unused) {
    (void)unused;
    unsigned char *buf = malloc(CHUNK + TAG), key[32] = {0}, nonce[12] = {0};
    if (!buf) return NULL;
    for (long c; (c = atomic_fetch_add(&next_chunk, 1)) < chunk_count;) {
        ssize_t n = pread(fd, buf, CHUNK, (off_t)c * CHUNK);
        if (n <= 0) break;
        crypto_aead_chacha20poly1305_ietf_encrypt_detached(buf, buf + n, NULL, buf, (unsigned long long)n,
                                                           NULL, 0, NULL, nonce, key);
    }
    free(buf);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2 || sodium_init() < 0) {
        fprintf(stderr, "usage: aead-io-ceiling FILE [THREADS]\n");
        return 2;
    }
    fd = open(argv[1], O_RDONLY);
    off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
    if (size <= 0) {
        fprintf(stderr, "aead-io-ceiling: cannot read %s\n", argv[1]);
        return 1;
    }
    chunk_count = (long)((size + CHUNK - 1) / CHUNK);
    int threads = argc > 2 ? atoi(argv[2]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1 || threads > 256) threads = 1;
    pthread_t ids[256];
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, seal_chunks, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) * 1e-9;
    printf("%.3f\n", (double)size / seconds / 1e9);
    return 0;
}
