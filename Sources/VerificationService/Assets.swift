/// The page's own script and style sheet, served from the service itself (no third-party host,
/// `Content-Security-Policy: default-src 'self'` allows nothing else).
enum Assets {
  /// Reads a new certificate's code from the URL fragment (never sent to any server) and posts
  /// it with the form; hashes a chosen PDF with WebCrypto and posts only its SHA-256 and the code
  /// found in it, so that the file is not uploaded. Without JavaScript the forms work as they are.
  static let script = """
    (function () {
      'use strict';
      var language = document.getElementById('sprache');
      if (language && location.hash) { language.href = language.href + location.hash; }
      // A code after '#c=' is posted, on load and when only the fragment changes (a second QR
      // address opened in the same tab); the address bar keeps no code.
      function postFragment() {
        var form = document.getElementById('fragment-form');
        var found = /(?:^#|&)c=([^&]+)/.exec(location.hash);
        if (!form || !found) { return; }
        form.elements.c.value = decodeURIComponent(found[1]);
        history.replaceState(null, '', location.pathname + location.search);
        HTMLFormElement.prototype.submit.call(form);
      }
      postFragment();
      window.addEventListener('hashchange', postFragment);
      function codeIn(bytes) {
        var text = '';
        for (var i = 0; i < bytes.length; i += 32768) {
          text += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
        }
        var pattern = /BQ2\\.[0-9]{157,}|BQ1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+/g, last = '', match;
        while ((match = pattern.exec(text)) !== null) { last = match[0]; }
        return last;
      }
      var fileForm = document.getElementById('datei-form');
      if (fileForm && window.crypto && window.crypto.subtle) {
        fileForm.addEventListener('submit', function (event) {
          var input = fileForm.elements.datei;
          if (!input.files || !input.files[0]) { return; }
          event.preventDefault();
          var status = document.getElementById('datei-status');
          status.textContent = status.getAttribute('data-working');
          input.files[0].arrayBuffer().then(function (buffer) {
            return window.crypto.subtle.digest('SHA-256', buffer).then(function (digest) {
              fileForm.elements.sha256.value = Array.prototype.map.call(new Uint8Array(digest), function (b) {
                return ('0' + b.toString(16)).slice(-2);
              }).join('');
              fileForm.elements.c.value = codeIn(new Uint8Array(buffer));
              input.disabled = true;
              fileForm.enctype = 'application/x-www-form-urlencoded';
              HTMLFormElement.prototype.submit.call(fileForm);
            });
          });
        });
      }
    })();

    """

  /// Colours: text #1b1b1b on white (17:1), links #0a4a82 (9:1), verdicts dark on light.
  static let style = """
    :root { color-scheme: light; }
    body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; font-size: 1.05rem; line-height: 1.5; color: #1b1b1b; background: #ffffff; }
    a { color: #0a4a82; }
    a:focus, button:focus, input:focus, textarea:focus, summary:focus { outline: 3px solid #b35c00; outline-offset: 2px; }
    .skip { position: absolute; left: -10000px; }
    .skip:focus { position: static; display: block; padding: .5rem 1rem; background: #ffffff; }
    header, main, footer { max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem; }
    header { border-bottom: 4px solid #1f4e79; }
    .issuer { font-weight: bold; margin: 0; }
    .service { margin: .2rem 0; }
    h1 { font-size: 1.7rem; margin: .5rem 0 1rem; }
    h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
    label { display: block; font-weight: bold; margin-top: .75rem; }
    .hint { margin: .1rem 0 .3rem; color: #3b3b3b; }
    input, textarea { font: inherit; width: 100%; box-sizing: border-box; padding: .4rem; border: 2px solid #4a4a4a; border-radius: 3px; }
    input[type=file] { border: none; padding: .4rem 0; }
    button { font: inherit; margin-top: .6rem; padding: .45rem 1.2rem; color: #ffffff; background: #1f4e79; border: 2px solid #1f4e79; border-radius: 3px; cursor: pointer; }
    .verdict { border-left: 8px solid; padding: .6rem 1rem; margin: 1rem 0; }
    .verdict h2 { margin-top: .2rem; }
    .ok { border-color: #1b6b32; background: #e8f4ec; }
    .warn { border-color: #8a5300; background: #fdf3e1; }
    .bad { border-color: #a4161a; background: #fbe9e9; }
    .symbol { font-weight: bold; }
    nav form { display: inline; }
    button.link { margin: 0; padding: 0; border: none; background: none; color: #0a4a82; text-decoration: underline; font: inherit; cursor: pointer; }
    .match { padding: .4rem .8rem; border-left: 6px solid; }
    dl div { display: flex; flex-wrap: wrap; border-bottom: 1px solid #d0d0d0; padding: .3rem 0; }
    dt { font-weight: bold; min-width: 12rem; }
    dd { margin: 0; }
    .name { font-size: 1.15rem; font-weight: bold; }
    .note { font-style: italic; }
    .sha code { word-break: break-all; font-size: .9rem; }
    footer ul { list-style: none; padding: 0; display: flex; gap: 1.5rem; flex-wrap: wrap; }
    footer { border-top: 1px solid #d0d0d0; margin-top: 2rem; }

    """
}
