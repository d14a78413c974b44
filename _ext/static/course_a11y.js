/* What the theme's pages lack for screen-reader, keyboard and motion-sensitive
 * readers; loaded on every page by _ext/course_site.py.
 *
 * - The primary sidebar (the book's title and table of contents) becomes a
 *   navigation landmark, so its title is not content outside any landmark.
 * - Animated GIFs in the chapters get a Pause/Play button (an <img> GIF has no
 *   controls of its own), and start paused for readers who ask their system for
 *   reduced motion. Pausing freezes the current frame: it is drawn onto a canvas
 *   shown in the GIF's place, with the GIF's alt text. */
(function () {
  "use strict";
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function freeze(img, canvas) {
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext("2d").drawImage(img, 0, 0);
    canvas.style.width = img.getBoundingClientRect().width + "px";
    canvas.hidden = false;
    img.hidden = true;
  }

  function addPauseButton(img) {
    const box = document.createElement("div");
    box.className = "course-gif";
    img.parentNode.insertBefore(box, img);
    box.appendChild(img);
    const canvas = document.createElement("canvas");
    canvas.hidden = true;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", img.getAttribute("alt") || "");
    box.appendChild(canvas);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "course-gif-toggle";
    box.appendChild(button);

    let paused = false;
    function show(pause) {
      paused = pause;
      if (pause) {
        freeze(img, canvas);
      } else {
        img.hidden = false;
        canvas.hidden = true;
      }
      button.textContent = pause ? "▶ Play animation" : "❚❚ Pause animation";
    }
    button.addEventListener("click", () => show(!paused));
    show(false);
    if (reduceMotion) {
      if (img.complete && img.naturalWidth) show(true);
      else img.addEventListener("load", () => show(true), { once: true });
    }
  }

  function labelSidebar() {
    const sidebar = document.getElementById("pst-primary-sidebar");
    if (sidebar && !sidebar.getAttribute("role")) {
      sidebar.setAttribute("role", "navigation");
      sidebar.setAttribute("aria-label", "The book");
    }
  }

  function setUp() {
    labelSidebar();
    document
      .querySelectorAll("article img[src$='.gif' i], article img[src^='data:image/gif' i]")
      .forEach(addPauseButton);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
