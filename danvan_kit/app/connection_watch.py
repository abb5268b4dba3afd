"""Tell staff plainly when a page has lost its server or its kernel.

Once a page's kernel or server is gone, no Python runs for it, so the warning
is a small script in the page itself: every few seconds it asks the server
about the page's own kernel (`api/kernels/<id>`, the id Voilà puts in the
page's config). When the answer fails, the kernel is gone (culled, or dead:
voila.json sets `KernelRestarter.restart_limit` to 0, since a restarted kernel
would hold none of the page), or the login has ended, a banner says so in
Vietnamese, with the time of the last saved draft (the page keeps it in an
element of class `dv-last-saved`) and what to do. The script holds no stored
text: it only reads that element's text.

Under JupyterHub the ask carries the page's XSRF token (from the `_xsrf` cookie, as
JupyterLab's own requests do): the hub's door refuses a script's cookie request
without it, and the page would say its login had ended while it had not.

It also says so when the page's widgets never appear (`BLANK_SECONDS` after the
page loaded, no `.dv-root` on it): the browser's widget manager gave up on a busy
kernel (ipywidgets waits 4 s for the widgets' state, then falls back to a slower
path that can fail), and without this the person would look at an empty form
forever. Reloading asks the server for the page again, with a new kernel.
"""
from __future__ import annotations

import json

from IPython.display import HTML, display

__all__ = ["WATCH_SECONDS", "BLANK_SECONDS", "WATCH_SCRIPT", "watch_connection"]

WATCH_SECONDS = 8
BLANK_SECONDS = 45   # a preheated form shows in 2-15 s on a busy 2-core server; 45 s without it is a failure

LOST = "Mất kết nối với máy chủ: những gì gõ từ lúc này sẽ không được lưu. "
STOPPED = ("Trang này đã ngừng hoạt động (để quá lâu không dùng hoặc gặp sự cố): những gì gõ từ lúc này "
           "sẽ không được lưu. ")
ENDED = ("Phiên đăng nhập đã kết thúc (đã đăng xuất, đổi mật khẩu hoặc hết giờ làm việc): "
         "những gì gõ từ lúc này sẽ không được lưu. ")
SAVED = "Bản nháp lưu lần cuối lúc {at} vẫn an toàn trên máy chủ. "
NOTHING_SAVED = "Chưa có bản nháp nào được lưu từ trang này. "
RELOAD = "Hãy tải lại trang (phím F5) khi mạng và máy chủ hoạt động lại: bản nháp đã lưu sẽ hiện lại để làm tiếp."
LOGIN = "Hãy đăng nhập lại để làm tiếp: bản nháp đã lưu sẽ hiện lại."
BLANK = ("Trang chưa hiện đủ nội dung (máy chủ đang bận). Hãy tải lại trang (phím F5): "
         "bản nháp đã lưu sẽ hiện lại để làm tiếp.")

_SCRIPT = """<script>
(function () {
  if (window.dvConnectionWatch) { return; }
  window.dvConnectionWatch = true;
  var config = document.getElementById("jupyter-config-data");
  if (!config) { return; }
  var page = JSON.parse(config.textContent);
  if (!page.kernelId) { return; }
  var url = (page.baseUrl || "/") + "api/kernels/" + encodeURIComponent(page.kernelId);
  var text = %(text)s;
  function banner(kind) {
    var box = document.getElementById("dv-connection-lost");
    if (!box) {
      box = document.createElement("div");
      box.id = "dv-connection-lost";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:10000;background:#b00020;" +
        "color:#fff;padding:10px 14px;font-size:15px;line-height:1.4";
      document.body.appendChild(box);
    }
    box.setAttribute("data-kind", kind);
    var saved = document.querySelector(".dv-last-saved");
    var at = saved ? saved.textContent.trim() : "";
    box.textContent = kind === "blank" ? text.blank :
      text[kind] + (at ? text.saved.replace("{at}", at) : text.nothing) + (kind === "ended" ? text.login : text.reload);
  }
  function clear() {
    var box = document.getElementById("dv-connection-lost");
    if (box && box.getAttribute("data-kind") !== "blank") { box.remove(); }   // only a reload mends a blank page
  }
  function headers() {
    // JupyterHub's door (HubOAuth) refuses a script's cookie request without the page's XSRF token,
    // which JupyterLab's own requests send from the _xsrf cookie: so does this one.
    var xsrf = document.cookie.match(/(?:^|; *)_xsrf=([^;]*)/);
    return xsrf ? {"X-XSRFToken": xsrf[1]} : {};
  }
  function check() {
    fetch(url, {credentials: "same-origin", cache: "no-store", redirect: "manual", headers: headers()})
    .then(function (r) {
      if (r.type === "opaqueredirect" || r.status === 401 || r.status === 403) { banner("ended"); }
      else if (r.status === 404) { banner("stopped"); }
      else if (!r.ok) { banner("lost"); }
      else { clear(); }
    }).catch(function () { banner("lost"); }).finally(function () { setTimeout(check, %(ms)d); });
  }
  setTimeout(check, %(ms)d);
  setTimeout(function () {
    if (!document.querySelector(".dv-root") && !document.getElementById("dv-connection-lost")) { banner("blank"); }
  }, %(blank_ms)d);
})();
</script>"""


WATCH_SCRIPT = _SCRIPT % {
    "text": json.dumps({"lost": LOST, "stopped": STOPPED, "ended": ENDED, "saved": SAVED, "nothing": NOTHING_SAVED,
                        "reload": RELOAD, "login": LOGIN, "blank": BLANK}, ensure_ascii=False),
    "ms": WATCH_SECONDS * 1000, "blank_ms": BLANK_SECONDS * 1000}


def watch_connection() -> None:
    """Add the watch to the page being built (an HTML output Voilà shows as trusted)."""
    display(HTML(WATCH_SCRIPT))
