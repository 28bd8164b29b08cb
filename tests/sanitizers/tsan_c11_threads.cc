// C11 <threads.h> on top of pthreads, for the TSan build only (JOURNEYD_TSAN, tests/sanitizers/README.md).
//
// Why: Debian's librdkafka 2.0.2 is built with glibc's C11 threads (thrd_create, mtx_lock, cnd_wait …).
// glibc implements them by calling its *internal* pthread functions, which TSan cannot intercept, and
// GCC 12's libtsan has no thrd_* interceptors of its own. So TSan never learns about librdkafka's threads:
// the first instrumented code such a thread runs (our log, delivery-report or rebalance callback, or a
// malloc) finds the thread's TSan state zeroed and dies with "SEGV on unknown address 0xc38" in
// __tsan_func_entry. It does not depend on ASLR (setarch -R crashes the same way) nor on PIE.
//
// This shared library is linked into every executable of the TSan build, ahead of libc, so the dynamic
// linker binds librdkafka's thrd_*/mtx_*/cnd_* references here. Each one forwards to the public pthread
// function, which TSan intercepts: librdkafka's threads are registered, and its locks, condition variables
// and joins give TSan the happens-before edges between our callbacks and our threads.
//
// glibc defines thrd_t as pthread_t, mtx_t as the bytes of a pthread_mutex_t and cnd_t as those of a
// pthread_cond_t (its own thrd_*/mtx_*/cnd_* cast the same way), so the casts below are what glibc does.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

static_assert(sizeof(thrd_t) == sizeof(pthread_t));
static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));

namespace {

struct Start {
  thrd_start_t func;
  void* arg;
};

void* trampoline(void* p) {
  const Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(start.func(start.arg)));
}

int result(int err) {
  switch (err) {
    case 0:
      return thrd_success;
    case ENOMEM:
      return thrd_nomem;
    case EBUSY:
      return thrd_busy;
    case ETIMEDOUT:
      return thrd_timedout;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* pm(mtx_t* m) {
  return reinterpret_cast<pthread_mutex_t*>(m);
}
pthread_cond_t* pc(cnd_t* c) {
  return reinterpret_cast<pthread_cond_t*>(c);
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  auto* start = new (std::nothrow) Start{func, arg};
  if (start == nullptr) return thrd_nomem;
  pthread_t t;
  const int err = pthread_create(&t, nullptr, trampoline, start);
  if (err != 0) {
    delete start;
    return err == EAGAIN ? thrd_nomem : thrd_error;
  }
  *thr = t;
  return thrd_success;
}

int thrd_join(thrd_t thr, int* res) {
  void* ret = nullptr;
  if (pthread_join(thr, &ret) != 0) return thrd_error;
  if (res != nullptr) *res = static_cast<int>(reinterpret_cast<std::intptr_t>(ret));
  return thrd_success;
}

int thrd_detach(thrd_t thr) {
  return result(pthread_detach(thr));
}

[[noreturn]] void thrd_exit(int res) {
  pthread_exit(reinterpret_cast<void*>(static_cast<std::intptr_t>(res)));
}

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if ((type & mtx_recursive) != 0) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  const int err = pthread_mutex_init(pm(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return result(err);
}

int mtx_lock(mtx_t* m) {
  return result(pthread_mutex_lock(pm(m)));
}
int mtx_trylock(mtx_t* m) {
  return result(pthread_mutex_trylock(pm(m)));
}
int mtx_timedlock(mtx_t* __restrict m, const struct timespec* __restrict ts) {
  return result(pthread_mutex_timedlock(pm(m), ts));
}
int mtx_unlock(mtx_t* m) {
  return result(pthread_mutex_unlock(pm(m)));
}
void mtx_destroy(mtx_t* m) {
  pthread_mutex_destroy(pm(m));
}

int cnd_init(cnd_t* c) {
  return result(pthread_cond_init(pc(c), nullptr));
}
int cnd_signal(cnd_t* c) {
  return result(pthread_cond_signal(pc(c)));
}
int cnd_broadcast(cnd_t* c) {
  return result(pthread_cond_broadcast(pc(c)));
}
int cnd_wait(cnd_t* c, mtx_t* m) {
  return result(pthread_cond_wait(pc(c), pm(m)));
}
int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m, const struct timespec* __restrict ts) {
  return result(pthread_cond_timedwait(pc(c), pm(m), ts));
}
void cnd_destroy(cnd_t* c) {
  pthread_cond_destroy(pc(c));
}

}  // extern "C"
