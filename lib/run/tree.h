/*
 * tree.h - directory-tree removal without building paths (tree.c).
 */
#ifndef DSG_TREE_H
#define DSG_TREE_H

#include "common/common.h"

/* Removes path and, if it is a directory, everything below it, through
 * descriptors (openat/unlinkat) with an explicit stack: any depth, any name
 * length, and symbolic links are removed as links, never followed. A path
 * that does not exist is not an error. */
dsg_status dsgi_tree_remove(const char *path, dsg_error *err);

#endif
