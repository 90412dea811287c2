/* help.h - vtepctl's usage texts, one per object. */
#ifndef VTEPCTL_HELP_H
#define VTEPCTL_HELP_H

#include <stdio.h>
#include "cmdline.h"

/* OBJ_NONE prints the general usage. */
void help_print(FILE *f, enum ctl_object obj);

#endif
