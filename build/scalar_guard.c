/* libphoenix_scalarguard.so: deferred release of TorchSharp Scalars.
 *
 * TorchSharp's Scalar owns a heap c10::Scalar through a raw IntPtr and frees it in its finalizer. In an
 * expression such as `t - 1.0` the temporary Scalar becomes unreachable as soon as its handle has been read,
 * while libtorch is still about to read the value; a garbage collection in that window lets the finalizer
 * free it first (seen as "Expected false to be true" from c10::Scalar::toDouble, or worse). The runtime
 * resolves TorchSharp's `LibTorchSharp` imports to this library (PhoenixSlt.Core.Native.ScalarLifetimeGuard);
 * every other symbol comes from libLibTorchSharp.so, a NEEDED dependency found beside this file. Only
 * THSTorch_dispose_scalar is ours: it queues the pointer and releases, through the original function,
 * the queued ones older than the quarantine delay (default 10 s — libtorch reads a Scalar argument while
 * the op is being dispatched, long before that).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

typedef void (*dispose_fn)(void *);

struct entry { void *scalar; uint64_t queued_ns; };

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static dispose_fn real_dispose;
static uint64_t delay_ns = 10ull * 1000000000ull;
static struct entry *ring;      /* FIFO in a growable ring buffer */
static size_t capacity, head, count;
static int64_t released_total;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Called with the gate held. Returns 0 when the queue could not grow. */
static int push(void *scalar, uint64_t t)
{
    if (count == capacity) {
        size_t grown = capacity ? capacity * 2 : 4096;
        struct entry *next = malloc(grown * sizeof *next);
        if (!next) return 0;
        for (size_t i = 0; i < count; i++) next[i] = ring[(head + i) % capacity];
        free(ring);
        ring = next; capacity = grown; head = 0;
    }
    ring[(head + count) % capacity] = (struct entry){ scalar, t };
    count++;
    return 1;
}

/* Releases entries queued at or before `limit` (all when limit is UINT64_MAX). */
static void release_until(uint64_t limit)
{
    enum { batch = 256 };
    void *due[batch];
    for (;;) {
        size_t n = 0;
        pthread_mutex_lock(&gate);
        while (count > 0 && n < batch && ring[head].queued_ns <= limit) {
            due[n++] = ring[head].scalar;
            head = (head + 1) % capacity;
            count--;
        }
        released_total += (int64_t)n;
        dispose_fn dispose = real_dispose;
        pthread_mutex_unlock(&gate);
        for (size_t i = 0; i < n; i++) dispose(due[i]);
        if (n < batch) return;
    }
}

__attribute__((visibility("default")))
void phoenix_scalarguard_init(dispose_fn original, int64_t delay_ms)
{
    pthread_mutex_lock(&gate);
    real_dispose = original;
    if (delay_ms >= 0) delay_ns = (uint64_t)delay_ms * 1000000ull;
    pthread_mutex_unlock(&gate);
}

__attribute__((visibility("default")))
void phoenix_scalarguard_stats(int64_t *pending, int64_t *released)
{
    pthread_mutex_lock(&gate);
    *pending = (int64_t)count;
    *released = released_total;
    pthread_mutex_unlock(&gate);
}

/* Releases every entry that is due now (the delay applies). */
__attribute__((visibility("default")))
void phoenix_scalarguard_sweep(void)
{
    uint64_t t = now_ns();
    release_until(t >= delay_ns ? t - delay_ns : 0);
}

__attribute__((visibility("default")))
void THSTorch_dispose_scalar(void *scalar)
{
    if (!scalar) return;
    uint64_t t = now_ns();
    pthread_mutex_lock(&gate);
    int queued = real_dispose && push(scalar, t);
    dispose_fn dispose = real_dispose;
    pthread_mutex_unlock(&gate);
    if (!queued) {
        /* Not initialised: the original is unknown, so the value is kept (a few bytes) rather than freed
           early. Out of memory: release it directly, as TorchSharp would have. */
        if (dispose) dispose(scalar);
        return;
    }
    release_until(t >= delay_ns ? t - delay_ns : 0);
}
