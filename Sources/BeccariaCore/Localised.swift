// Every target that reads BeccariaCore writes text for people: `tr` and `trn` (Localisation)
// come with it, so that marking a text for translation needs no further import.
@_exported import Localisation
