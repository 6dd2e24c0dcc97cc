// Cairo (PDF surfaces), Pango (text layout and shaping), HarfBuzz's subsetter (embedded font
// programs without hinting) and zlib (their streams). Only the Documents target imports this.
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <hb-subset.h>
#include <zlib.h>
