// libqrencode: QR code symbols for sign-in sheets and certificates. Only Documents imports this.
#include <qrencode.h>

// Exported by libqrencode (the library's own encoder calls it with mask -1, which tries all eight
// masks and keeps the best by the standard's penalty rules) but not declared in qrencode.h. A
// fixed mask gives an equally valid symbol for a fraction of the cost: the penalty evaluation is
// most of the encoder's time for a payload of a few hundred bytes.
extern QRcode *QRcode_encodeMask(QRinput *input, int mask);
