/* The README example: a range allocator, then a chunk of real memory. */
#include <gomem/gomem.h>
#include <stdio.h>

int main(void)
{
  /* A range allocator hands out offsets in [0, 1000); it owns no memory. */
  gomem_allocator *a = gomem_allocator_new(1000, GOMEM_STRATEGY_DEFAULT);
  size_t x, y;
  if (a == NULL || gomem_allocator_alloc(a, 100, &x) != GOMEM_OK ||
      gomem_allocator_alloc(a, 200, &y) != GOMEM_OK)
    return 1;
  gomem_allocator_free(a, x + 20, 30); /* any sub-range can go back */
  printf("%s: x=%zu y=%zu, %zu units free in %zu blocks\n",
         gomem_strategy_name(gomem_allocator_strategy(a)), x, y,
         gomem_allocator_free_size(a), gomem_allocator_free_blocks(a));
  gomem_allocator_destroy(a);

  /* A chunk is one region of memory carved by a range allocator. */
  gomem_chunk *c = gomem_chunk_new(64 * 1024, GOMEM_STRATEGY_DEFAULT);
  char *buf = c ? gomem_chunk_malloc(c, 256) : NULL;
  if (buf == NULL)
    return 1;
  snprintf(buf, 256, "hello from libgomem %s", gomem_version_string());
  puts(buf);
  gomem_chunk_free(c, buf + 64, 192); /* keep the first 64 bytes */
  int rc = gomem_chunk_free(c, buf + 64, 1); /* already free: refused */
  printf("%zu bytes free; second free: %s\n", gomem_chunk_free_size(c),
         gomem_err_name(rc));
  gomem_chunk_destroy(c); /* frees the region and everything in it */
  return 0;
}
