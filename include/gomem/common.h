/* SPDX-License-Identifier: MIT */
/**
 * @file gomem/common.h — versions, status codes, strategies, plain data types.
 *
 * Conventions that hold for the whole library:
 * - Every function that can fail returns an `int`: 0 (GOMEM_OK) on success
 *   or a negative GOMEM_ERR_* code. Constructors return NULL and set errno
 *   instead (EINVAL, ENOMEM or ENOTSUP).
 * - Bad input (NULL handle, zero or overflowing size, memory that is not
 *   allocated) never aborts: it returns an error and leaves the handle
 *   exactly as it was.
 * - So does running out of memory (GOMEM_ERR_NOMEM, or NULL with errno
 *   ENOMEM): nothing changed, nothing leaked, and the same call may be
 *   made again later. Giving memory back can need memory for the
 *   bookkeeping too (see gomem_allocator_free, gomem_scalable_free); what
 *   the library gives back on its own (the unread tail of a read, queued
 *   frees, recycled segments) is kept and tried again when it cannot, never
 *   dropped.
 * - Every destroy function accepts NULL.
 * - Unless a function says otherwise, a handle is used by one thread at a
 *   time; different handles may be used from different threads freely.
 *
 * Signals: no libgomem function is async-signal-safe. Several take locks
 * or call malloc, and any may be in the middle of changing a handle when
 * the signal arrives; do not call the library from a signal handler.
 *
 * fork(): the library holds every lock that threads share across fork()
 * (pthread_atfork handlers: the process-wide chunk cache and buddy pools
 * of the chunk source, every gomem_buddy pool and the busy flag of every
 * shared gomem_scalable allocator), so the child finds them free and the
 * data they guard consistent, whatever the parent's other threads were
 * doing. In the child, the forking thread is the only thread:
 * - everything process-wide works, and the child may exit normally;
 * - handles the forking thread could use, it still can (its own scalable
 *   allocators, shared allocators, buddy pools, and every single-thread
 *   handle it was not in the middle of using);
 * - a scalable allocator owned by another thread keeps that owner, which
 *   does not exist in the child: the child's allocating calls on it are
 *   refused (GOMEM_ERR_WRONG_THREAD) and its frees are queued, as for any
 *   non-owner; the child may destroy it if that thread was not inside a
 *   call on it.
 * - a handle another thread was in the middle of using without a lock the
 *   library holds across fork() (an owned scalable allocator, a range
 *   allocator, a chunk, a memory, a reader) may be half-changed in the
 *   child: do not touch it there; the child's exit releases its memory.
 */
#ifndef GOMEM_COMMON_H
#define GOMEM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gomem/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks every public function; the rest of the library is hidden. */
#if defined(_WIN32) || defined(__CYGWIN__)
#  if defined(GOMEM_BUILDING)
#    define GOMEM_API __declspec(dllexport)
#  else
#    define GOMEM_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define GOMEM_API __attribute__((visibility("default")))
#else
#  define GOMEM_API
#endif

/**
 * The status codes: XX(name, value, message). Values are fixed forever; new
 * codes are only ever appended. Expands to GOMEM_OK and GOMEM_ERR_<name>.
 */
#define GOMEM_ERRNO_MAP(XX)                                                 \
  XX(INVALID, -1, "invalid argument or memory not currently allocated")     \
  XX(NOMEM, -2, "out of memory or no free block large enough")              \
  XX(UNSUPPORTED, -3, "not supported by this build of libgomem")            \
  XX(EOF, -4, "end of data")                                                \
  XX(OVERFLOW, -5, "value does not fit")                                    \
  XX(NOT_OWNED, -6, "memory does not belong to this allocator")            \
  XX(WRONG_THREAD, -7, "the allocator belongs to another thread")

/** Status codes returned by libgomem functions. */
typedef enum gomem_status {
  GOMEM_OK = 0,
#define GOMEM_XX_ENUM(name, value, message) GOMEM_ERR_##name = (value),
  GOMEM_ERRNO_MAP(GOMEM_XX_ENUM)
#undef GOMEM_XX_ENUM
} gomem_status;

/**
 * The free-block index behind a range allocator.
 *
 * - GOMEM_STRATEGY_TREAP: one randomized tree of free blocks ordered by
 *   offset; address-ordered first fit (the lowest-offset block that fits).
 * - GOMEM_STRATEGY_AVL: two AVL trees, by (size, offset) and by offset;
 *   best fit (the smallest block that fits, lowest offset among equals).
 * - GOMEM_STRATEGY_TLSF: two-level segregated fit with bitmaps; good fit
 *   (the most recently freed block of the lowest size class that all
 *   holds the request, else a fitting block of the request's own class),
 *   O(1) allocation and O(log64 size) validated free, independent of the
 *   number of free blocks (gomem/allocator.h).
 * - GOMEM_STRATEGY_DEFAULT: the one chosen at build time (`default_tree`).
 */
typedef enum gomem_strategy {
  GOMEM_STRATEGY_DEFAULT = 0,
  GOMEM_STRATEGY_TREAP = 1,
  GOMEM_STRATEGY_AVL = 2,
  GOMEM_STRATEGY_TLSF = 3
} gomem_strategy;

/** A run of bytes: a pointer and a length. Plain data, owned by nobody. */
typedef struct gomem_span {
  void *ptr;  /**< the first byte */
  size_t len; /**< the number of bytes */
} gomem_span;

/**
 * Free-space statistics of a range allocator, a chunk or a scalable
 * allocator (gomem_allocator_free_stats, gomem_chunk_free_stats,
 * gomem_scalable_free_stats). The caller sets struct_size to
 * sizeof(gomem_free_stats) as it knows it; only the fields that lie
 * entirely within struct_size are written, so fields may be appended.
 * The fragmentation figure 1 - largest_free / free_bytes is 0 when all
 * free space is one block and tends to 1 as it scatters.
 */
typedef struct gomem_free_stats {
  size_t struct_size;     /**< set by the caller: sizeof(gomem_free_stats) */
  uint64_t free_bytes;    /**< free units (bytes for chunks) */
  uint64_t free_blocks;   /**< maximal free runs */
  uint64_t largest_free;  /**< the largest free run; 0 when nothing is free */
  uint64_t smallest_free; /**< the smallest free run; 0 when nothing is free */
} gomem_free_stats;

/**
 * Free a string returned by gomem_allocator_dump_json or
 * gomem_scalable_dump_json. NULL is a no-op. Any thread.
 */
GOMEM_API void gomem_json_free(char *json);

/** @return the library's version as "MAJOR.MINOR.PATCH", e.g. "1.0.0". Static storage. */
GOMEM_API const char *gomem_version_string(void);

/** @return the library's version as MAJOR*10000 + MINOR*100 + PATCH (compare with GOMEM_VERSION_NUMBER). */
GOMEM_API unsigned gomem_version(void);

/**
 * @return a one-line English description of @p code (static storage). Never
 * NULL: unknown codes give "unknown error".
 */
GOMEM_API const char *gomem_strerror(int code);

/**
 * @return the symbolic name of @p code, e.g. "GOMEM_ERR_EOF" (static
 * storage), or "GOMEM_ERR_UNKNOWN" for a value that is not a code.
 */
GOMEM_API const char *gomem_err_name(int code);

/**
 * @return true if range allocators can be created with strategy @p s in
 * this build. GOMEM_STRATEGY_DEFAULT is always available.
 */
GOMEM_API bool gomem_strategy_available(gomem_strategy s);

/** The same as gomem_strategy_available (the design brief's name for it). */
GOMEM_API bool gomem_tree_available(gomem_strategy s);

/**
 * @return the strategy's lower-case name ("treap", "avl", "tlsf"), or for
 * GOMEM_STRATEGY_DEFAULT the name of the strategy it stands for in this
 * build; NULL for a value that is not a strategy. Static storage.
 */
GOMEM_API const char *gomem_strategy_name(gomem_strategy s);

/**
 * @return the strategy GOMEM_STRATEGY_DEFAULT stands for in this build
 * (never GOMEM_STRATEGY_DEFAULT itself).
 */
GOMEM_API gomem_strategy gomem_strategy_default(void);

#ifdef __cplusplus
}
#endif

#endif /* GOMEM_COMMON_H */
