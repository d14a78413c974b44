/*
 * The transposed-convolution explorer: pick input size, kernel, stride,
 * padding and output_padding of a square Conv2DTranspose and see the output
 * length Keras returns (or the error it raises), where each input pixel's
 * kernel copy lands, and the overlap-count map of the output Keras keeps.
 *
 * Plain JavaScript, no dependencies. Jupyter Book loads every script in
 * _static/ on every page; this one only acts on <div class="course-explorer">
 * elements (optional data-size, data-kernel, data-stride, data-padding,
 * data-output-padding give the starting setting).
 *
 * The rules mirror upsampling_course.explorer.explorer_outcome, which
 * tests/test_operators.py checks against Keras 3 and which
 * tests/test_explorer_browser.py compares with this widget.
 */
(function () {
  "use strict";

  var LIMITS = { size: [1, 8], kernel: [1, 7], stride: [1, 4] };
  var OUTPUT_PADDINGS = ["None", "0", "1", "2", "3", "4"];
  var counter = 0;

  /* Output length along one axis, as Keras computes it (shapes.conv_transpose_output_length). */
  function outputLength(n, k, s, padding, op) {
    if (padding === "valid") {
      var extra = op === null ? Math.max(s - k, 0) : op;
      return (n - 1) * s + k + extra;
    }
    if (op === null) return n * s;
    return (n - 1) * s + (k % 2) + op;
  }

  /* What the explorer shows: {error} or {length, start, counts, full}. */
  function outcome(n, k, s, padding, op) {
    if (op !== null && op >= s) {
      return {
        error:
          "`output_padding` must be strictly less than `strides` for all dimensions. " +
          "At dimension 0, `output_padding` is " + op + " but `strides` is " + s + ". " +
          "Received: output_padding=(" + op + ", " + op + "), strides=(" + s + ", " + s + ")"
      };
    }
    var length = outputLength(n, k, s, padding, op);
    if (padding === "same" && op === 0 && k % 2 === 0 && n > 1) {
      var back = Math.ceil(length / s);
      return {
        error:
          "Keras's compute_output_shape gives " + length + ", but calling the layer fails: " +
          "a 'same' convolution of a " + length + "-pixel input gives " + back +
          " pixels, not " + n + ", so TensorFlow cannot make this transpose (it raises an error)"
      };
    }
    var fullLength = (n - 1) * s + k;
    var start = padding === "valid" ? 0 : Math.floor(Math.max(fullLength - length, 0) / 2);
    var full = [];
    var i, t;
    for (i = 0; i < Math.max(fullLength, start + length); i++) full.push(0);
    for (i = 0; i < n; i++) for (t = 0; t < k; t++) full[i * s + t] += 1;
    return { length: length, start: start, counts: full.slice(start, start + length), full: full };
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function numberControl(form, id, label, name, value) {
    var wrapper = element("div", { class: "explorer-control" });
    wrapper.appendChild(element("label", { for: id }, label));
    var input = element("input", {
      id: id,
      name: name,
      type: "number",
      min: LIMITS[name][0],
      max: LIMITS[name][1],
      step: 1,
      value: value,
      inputmode: "numeric"
    });
    wrapper.appendChild(input);
    form.appendChild(wrapper);
    return input;
  }

  function selectControl(form, id, label, name, options, value) {
    var wrapper = element("div", { class: "explorer-control" });
    wrapper.appendChild(element("label", { for: id }, label));
    var select = element("select", { id: id, name: name });
    options.forEach(function (option) {
      var item = element("option", { value: option }, option);
      if (option === value) item.selected = true;
      select.appendChild(item);
    });
    wrapper.appendChild(select);
    form.appendChild(wrapper);
    return select;
  }

  function readInteger(input, name) {
    var value = Number(input.value);
    var range = LIMITS[name];
    if (input.value === "" || !Number.isInteger(value) || value < range[0] || value > range[1]) {
      return null;
    }
    return value;
  }

  /* Rows: one per input pixel, its kernel copy; then the taps per position and Keras's window. */
  function scatterTable(n, k, s, result) {
    var table = element("table", { class: "explorer-scatter" });
    table.appendChild(
      element("caption", {}, "Kernel copies along one axis (tap numbers), taps per position, and the part Keras keeps")
    );
    var width = result.full.length;
    var head = element("tr");
    head.appendChild(element("th", { scope: "col" }, "position"));
    for (var p = 0; p < width; p++) head.appendChild(element("th", { scope: "col" }, String(p)));
    table.appendChild(head);
    for (var i = 0; i < n; i++) {
      var row = element("tr");
      row.appendChild(element("th", { scope: "row" }, "input " + i));
      for (var q = 0; q < width; q++) {
        var tap = q - i * s;
        var inside = tap >= 0 && tap < k;
        row.appendChild(element("td", { class: inside ? "explorer-tap" : "" }, inside ? String(tap) : ""));
      }
      table.appendChild(row);
    }
    var sums = element("tr", { class: "explorer-sums" });
    sums.appendChild(element("th", { scope: "row" }, "taps"));
    result.full.forEach(function (count) {
      sums.appendChild(element("td", {}, String(count)));
    });
    table.appendChild(sums);
    var kept = element("tr", { class: "explorer-kept" });
    kept.appendChild(element("th", { scope: "row" }, "kept"));
    for (var r = 0; r < width; r++) {
      var keep = r >= result.start && r < result.start + result.length;
      kept.appendChild(element("td", { class: keep ? "explorer-keep" : "" }, keep ? "✓" : "–"));
    }
    table.appendChild(kept);
    return table;
  }

  /* The overlap-count map of the kept output: taps(row) * taps(column). */
  function overlapTable(result) {
    var table = element("table", { class: "explorer-overlap" });
    table.appendChild(element("caption", {}, "Overlap counts of the output: products summed into each pixel"));
    var largest = Math.max.apply(null, result.counts.concat([1]));
    result.counts.forEach(function (rowCount) {
      var row = element("tr");
      result.counts.forEach(function (columnCount) {
        var value = rowCount * columnCount;
        var cell = element("td", {}, String(value));
        var shade = Math.round(95 - 55 * (value / (largest * largest)));
        cell.style.backgroundColor = "hsl(210, 60%, " + shade + "%)";
        if (shade < 65) cell.style.color = "#fff";
        row.appendChild(cell);
      });
      table.appendChild(row);
    });
    return table;
  }

  function build(root) {
    counter += 1;
    var prefix = "course-explorer-" + counter + "-";
    var dataset = root.dataset;
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", "Conv2DTranspose explorer");
    var form = element("form", { class: "explorer-controls" });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    var size = numberControl(form, prefix + "size", "input size", "size", dataset.size || 3);
    var kernel = numberControl(form, prefix + "kernel", "kernel_size", "kernel", dataset.kernel || 3);
    var stride = numberControl(form, prefix + "stride", "strides", "stride", dataset.stride || 2);
    var padding = selectControl(form, prefix + "padding", "padding", "padding", ["valid", "same"], dataset.padding || "valid");
    var outputPadding = selectControl(
      form, prefix + "output-padding", "output_padding", "output_padding", OUTPUT_PADDINGS, dataset.outputPadding || "None"
    );
    root.appendChild(form);
    var code = element("p", { class: "explorer-code" });
    root.appendChild(code);
    var status = element("p", { class: "explorer-result", role: "status", "aria-live": "polite" });
    root.appendChild(status);
    var figures = element("div", { class: "explorer-figures" });
    root.appendChild(figures);

    function update() {
      var n = readInteger(size, "size");
      var k = readInteger(kernel, "kernel");
      var s = readInteger(stride, "stride");
      figures.textContent = "";
      root.removeAttribute("data-length");
      root.removeAttribute("data-error");
      if (n === null || k === null || s === null) {
        status.className = "explorer-result explorer-invalid";
        status.textContent =
          "Choose whole numbers: input size 1-8, kernel_size 1-7, strides 1-4.";
        return;
      }
      var op = outputPadding.value === "None" ? null : Number(outputPadding.value);
      code.textContent =
        "Conv2DTranspose(1, " + k + ", strides=" + s + ', padding="' + padding.value +
        '", output_padding=' + (op === null ? "None" : op) + ") on " + n + " × " + n;
      var result = outcome(n, k, s, padding.value, op);
      if (result.error) {
        root.setAttribute("data-error", result.error);
        status.className = "explorer-result explorer-error";
        status.textContent = "Keras raises an error: " + result.error;
        return;
      }
      root.setAttribute("data-length", String(result.length));
      status.className = "explorer-result";
      status.textContent =
        "Output: " + result.length + " × " + result.length +
        (result.length === 0
          ? " (empty): Keras keeps nothing of the scatter."
          : "; Keras keeps positions " + result.start + " to " +
            (result.start + result.length - 1) + " of the scatter.");
      [scatterTable(n, k, s, result), overlapTable(result)].forEach(function (table) {
        var scroller = element("div", { class: "explorer-scroll", tabindex: "0", role: "region" });
        scroller.setAttribute("aria-label", table.querySelector("caption").textContent);
        scroller.appendChild(table);
        figures.appendChild(scroller);
      });
    }

    [size, kernel, stride, padding, outputPadding].forEach(function (control) {
      control.addEventListener("input", update);
      control.addEventListener("change", update);
    });
    update();
  }

  function start() {
    var roots = document.querySelectorAll("div.course-explorer");
    Array.prototype.forEach.call(roots, function (root) {
      if (!root.dataset.ready) {
        root.dataset.ready = "1";
        build(root);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
