#pragma once
// Small pieces of HTML for the report page: escaping, tables, figures. Plain HTML with one
// inline style sheet, no scripts and no external resources, so the page opens from disk
// (file://) and can be sent as a folder.
#include <string>
#include <utility>
#include <vector>

namespace nc::report {

std::string html_escape(const std::string& s);

// A table with a header row; cells are escaped.
std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);

// An <img> with its caption; `src` is relative to the page. The width is the image's own,
// read from its PNG header, so the page lays out before the images arrive.
// `css_class` (optional) goes on the <figure>, e.g. "thumb" for a smaller one.
std::string html_figure(const std::string& page_dir, const std::string& src,
                        const std::string& caption, const std::string& css_class = "");

// Width and height from a PNG file's IHDR; {0, 0} when the file is not a PNG.
std::pair<int, int> png_size(const std::string& path);

// The page: <!doctype html> ... with `title` and `body` (already HTML).
std::string html_page(const std::string& title, const std::string& body);

}  // namespace nc::report
