// Cairo (PDF surfaces), Pango (text layout and shaping) and HarfBuzz's subsetter (embedded font
// programs cut to the glyphs a page shows, without hinting). Only the Documents target imports
// this.
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <hb-subset.h>
