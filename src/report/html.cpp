#include "report/html.hpp"

#include <cstdint>
#include <fstream>

namespace nc::report {

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  std::string h = "<table>\n<tr>";
  for (const auto& c : header) h += "<th>" + html_escape(c) + "</th>";
  h += "</tr>\n";
  for (const auto& r : rows) {
    h += "<tr>";
    for (const auto& c : r) h += "<td>" + html_escape(c) + "</td>";
    h += "</tr>\n";
  }
  return h + "</table>\n";
}

std::pair<int, int> png_size(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  unsigned char b[24];
  if (!f.read(reinterpret_cast<char*>(b), sizeof b)) return {0, 0};
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  for (int i = 0; i < 8; ++i)
    if (b[i] != sig[i]) return {0, 0};
  const auto be32 = [&](int o) {
    return static_cast<int>((uint32_t{b[o]} << 24) | (uint32_t{b[o + 1]} << 16) |
                            (uint32_t{b[o + 2]} << 8) | b[o + 3]);
  };
  return {be32(16), be32(20)};
}

std::string html_figure(const std::string& page_dir, const std::string& src,
                        const std::string& caption, const std::string& css_class) {
  const auto [w, h] = png_size(page_dir + "/" + src);
  std::string size =
      w > 0 ? " width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(h) + "\"" : "";
  const std::string cls = css_class.empty() ? "" : " class=\"" + html_escape(css_class) + "\"";
  return "<figure" + cls + "><a href=\"" + html_escape(src) + "\"><img src=\"" + html_escape(src) +
         "\"" + size + " alt=\"" + html_escape(caption) + "\"></a><figcaption>" +
         html_escape(caption) + "</figcaption></figure>\n";
}

std::string html_page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         // No favicon request: a page served over HTTP would otherwise log a 404.
         "<link rel=\"icon\" href=\"data:,\">\n"
         "<title>" +
         html_escape(title) +
         "</title>\n"
         "<style>\n"
         "body{font-family:system-ui,-apple-system,'DejaVu "
         "Sans',sans-serif;max-width:1560px;margin:0 auto;"
         "padding:1em 2em;color:#222;line-height:1.45}\n"
         "h1{font-size:1.7em;margin-bottom:.2em} h2{margin-top:2em;border-bottom:1px solid #ccc}\n"
         "table{border-collapse:collapse;margin:.6em 0 1.2em} th,td{border:1px solid "
         "#ccc;padding:.25em .7em;"
         "text-align:left;font-variant-numeric:tabular-nums} th{background:#f3f3f3}\n"
         "figure{display:inline-block;margin:.6em 1em 1em 0;vertical-align:top}\n"
         "img{max-width:100%;height:auto;border:1px solid #eee}\n"
         "figcaption{font-size:.92em;color:#444;max-width:760px}\n"
         "figure.thumb img{max-width:440px} figure.thumb figcaption{max-width:440px}\n"
         ".note{background:#fff6d6;border:1px solid #e8d27a;padding:.6em 1em;border-radius:4px}\n"
         "code{background:#f3f3f3;padding:0 .25em}\n"
         "</style>\n</head>\n<body>\n" +
         body + "</body>\n</html>\n";
}

}  // namespace nc::report
