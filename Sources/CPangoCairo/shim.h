// Cairo (PDF surfaces) and Pango (text layout and shaping). Only the Documents target imports this.
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
