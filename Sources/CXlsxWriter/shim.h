// libxlsxwriter: Office Open XML workbooks (.xlsx) for --format xlsx. Only Spreadsheet imports this.
#include <xlsxwriter.h>
