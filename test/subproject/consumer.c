/* Uses libgomem from a subproject: headers, version and one allocation.
 * test/cmake builds it too, through find_package, and says so. */
#include <gomem/gomem.h>
#include <stdio.h>
#include <string.h>

#ifndef CONSUMER_HOW
#define CONSUMER_HOW "as a subproject"
#endif

int main(void)
{
  if (strcmp(gomem_version_string(), GOMEM_VERSION_STRING) != 0) {
    fprintf(stderr, "header %s, library %s\n", GOMEM_VERSION_STRING, gomem_version_string());
    return 1;
  }
  gomem_chunk *c = gomem_chunk_new(4096, GOMEM_STRATEGY_DEFAULT);
  void *p = c ? gomem_chunk_malloc(c, 100) : NULL;
  int ok = p != NULL && gomem_chunk_free(c, p, 100) == GOMEM_OK &&
           gomem_chunk_free_size(c) == 4096;
  gomem_chunk_destroy(c);
  printf("gomem %s " CONSUMER_HOW ": %s\n", gomem_version_string(), ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
