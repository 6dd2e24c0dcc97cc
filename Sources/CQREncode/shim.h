// libqrencode: QR code symbols for sign-in sheets and certificates. Only Documents imports this.
#include <qrencode.h>
