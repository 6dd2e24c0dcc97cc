// zlib: the Flate streams of PDF files (content streams, CMaps, font programs). Only the
// PDFAssembly target imports this.
#include <zlib.h>
