//! The explorer's charts: SVG drawn on the server by plotters, so a page shows its figures
//! without JavaScript and a table beside each chart carries the same numbers for readers who
//! cannot see it.

use plotters::prelude::*;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 300;
const INK: RGBColor = RGBColor(0x1f, 0x4e, 0x79);
const FONT: &str = "sans-serif";

/// Makes an SVG fit its container and describes it for assistive technology.
fn finish(svg: String, title: &str) -> String {
    let label = crate::domain::escape_html(title);
    let svg = svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"chart\" preserveAspectRatio=\"xMidYMid meet\" "),
        1,
    );
    // The size attributes give way to the viewBox and the stylesheet.
    svg.replacen(&format!("width=\"{WIDTH}\" height=\"{HEIGHT}\""), "", 1)
}

/// A value on an axis reaching `top`: whole numbers, or one decimal on a short axis.
fn axis_label(value: f64, top: f64) -> String {
    if top < 20.0 {
        format!("{value:.1}")
    } else {
        super::format::integer(value.round() as i64)
    }
}

/// A line over the years, with a dot on each year.
pub fn years(title: &str, points: &[(i32, f64)]) -> Option<String> {
    let (first, last) = (points.first()?.0, points.last()?.0);
    let top = points.iter().map(|p| p.1).fold(0.0_f64, f64::max).max(1.0) * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .margin_right(28)
            .x_label_area_size(32)
            .y_label_area_size(80)
            .build_cartesian_2d(first..last.max(first + 1), 0.0..top)
            .ok()?;
        chart
            .configure_mesh()
            .x_labels(points.len().clamp(2, 12))
            .x_label_formatter(&|y| y.to_string())
            .y_labels(5)
            .y_label_formatter(&|v| axis_label(*v, top))
            .label_style((FONT, 18))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()
            .ok()?;
        chart
            .draw_series(LineSeries::new(points.iter().copied(), INK.stroke_width(2)))
            .ok()?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, INK.filled())))
            .ok()?;
        root.present().ok()?;
    }
    Some(finish(svg, title))
}

/// Horizontal bars, one per label, largest first as given.
pub fn bars(title: &str, bars: &[(String, f64)]) -> Option<String> {
    if bars.is_empty() {
        return None;
    }
    let top = bars.iter().map(|b| b.1).fold(0.0_f64, f64::max).max(1.0) * 1.1;
    let n = bars.len();
    let height = (n as u32 * 24 + 40).max(120);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(24)
            .y_label_area_size(120)
            .build_cartesian_2d(0.0..top, (0..n).into_segmented())
            .ok()?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => bars
                    .get(n.saturating_sub(1 + *i))
                    .map(|b| b.0.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_labels(5)
            .x_label_formatter(&|v| axis_label(*v, top))
            .label_style((FONT, 18))
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .draw()
            .ok()?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let row = n - 1 - i;
                Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        (b.1, SegmentValue::Exact(row + 1)),
                    ],
                    INK.mix(0.85).filled(),
                )
            }))
            .ok()?;
        root.present().ok()?;
    }
    let svg = svg.replacen(
        &format!("width=\"{WIDTH}\" height=\"{height}\""),
        &format!("width=\"{WIDTH}\" height=\"{HEIGHT}\""),
        1,
    );
    Some(finish(svg, title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_one_labelled_svg_with_its_years() {
        let svg = years("Companies <by year>", &[(2013, 893.0), (2014, 1056.0)]).unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Companies &lt;by year&gt;\""));
        let labels: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| {
                t.split_once('>')
                    .and_then(|(_, rest)| rest.split_once("</text>"))
            })
            .map(|(text, _)| text.trim())
            .collect();
        assert!(
            labels.contains(&"2013") && labels.contains(&"2014"),
            "{labels:?}"
        );
        assert_eq!(svg.matches("<svg").count(), 1);
        let svg = bars(
            "By district",
            &[("南昌".into(), 500.0), ("赣州".into(), 100.0)],
        )
        .unwrap();
        assert!(svg.contains("南昌"));
        assert!(years("empty", &[]).is_none());
    }
}
