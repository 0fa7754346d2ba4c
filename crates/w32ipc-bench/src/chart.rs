//! The SVG chart of a run: one row per w32ipc figure ([`crate::summary::Line`]), its speed
//! relative to the raw mechanism as a bar (log scale, above 1× is faster than raw), with the
//! best peer's bar beside it and a line at 1× for the raw mechanism itself.
//!
//! Scenarios that compare w32ipc with nothing but a re-based raw figure (no peer, no target)
//! stay in the tables and out of the chart.

use std::io;
use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::Machine;
use crate::summary::{Line, short_name, short_placement};

const WIDTH: u32 = 1100;
const ROW: u32 = 34;
const LABELS: u32 = 430;
const W32IPC: RGBColor = RGBColor(31, 119, 180);
const PEER: RGBColor = RGBColor(255, 127, 14);

/// Whether a line belongs in the chart.
fn charted(line: &Line<'_>) -> bool {
    let c = line.comparison;
    c.charted && (line.best_peer.is_some() || c.target.is_some() || c.limit.is_some())
}

/// The label of a row.
fn label(line: &Line<'_>) -> String {
    let c = line.comparison;
    let mut name = short_name(&c.name);
    if c.subjects
        .iter()
        .filter(|s| !s.peer && !s.diagnostic)
        .count()
        > 1
    {
        name = format!("{name} — {}", line.w32ipc.name);
    }
    let name = format!("{} · {}", short_placement(&c.placement), name);
    if name.chars().count() > 68 {
        format!("{}…", name.chars().take(67).collect::<String>())
    } else {
        name
    }
}

/// Draws the chart of `lines` into an SVG string.
pub fn svg(lines: &[Line<'_>], machine: &Machine) -> io::Result<String> {
    let rows: Vec<&Line<'_>> = lines.iter().filter(|l| charted(l)).collect();
    let mut out = String::new();
    let height = 140 + ROW * rows.len().max(1) as u32;
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        draw(&root, &rows, machine).map_err(|e| io::Error::other(e.to_string()))?;
        root.present()
            .map_err(|e| io::Error::other(e.to_string()))?;
    }
    Ok(out)
}

type Area<'b> = DrawingArea<SVGBackend<'b>, plotters::coord::Shift>;

fn draw(
    root: &Area<'_>,
    rows: &[&Line<'_>],
    machine: &Machine,
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let (plot, legend_area) = root.split_vertically(root.dim_in_pixel().1 - 30);
    let speeds = rows
        .iter()
        .flat_map(|l| [Some(l.speed_vs_raw()), l.peer_speed_vs_raw()])
        .flatten()
        .filter(|v| v.is_finite() && *v > 0.0);
    let (lo, hi) = speeds.fold((0.5f64, 2.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Room on the right for the value and the peer's name after the longest bar.
    let (lo, hi) = (lo / 1.6, hi * 12.0);
    let n = rows.len().max(1);
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!(
                "w32ipc and the best peer crate against the raw Linux mechanism — {} CPUs, Linux {}",
                machine.cpus, machine.kernel
            ),
            ("sans-serif", 17),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(LABELS)
        .build_cartesian_2d((lo..hi).log_scale(), 0.0..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(12)
        .x_desc("how many times better than raw: speed, or memory for the idle-memory rows (log scale; right of 1× is better)")
        .x_label_formatter(&|v| format!("{v}×"))
        .draw()?;
    for (i, line) in rows.iter().enumerate() {
        let top = (n - i) as f64;
        let peer = line.best_peer.map_or("", |p| p.name.as_str());
        let bars = [
            (Some(line.speed_vs_raw()), W32IPC, 0.12, 0.48, ""),
            (line.peer_speed_vs_raw(), PEER, 0.52, 0.88, peer),
        ];
        for (value, color, a, b, name) in bars {
            let Some(v) = value.filter(|v| v.is_finite() && *v > 0.0) else {
                continue;
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(lo, top - b), (v, top - a)],
                color.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("{v:.2}× {name}"),
                (v, top - (a + b) / 2.0),
                ("sans-serif", 11)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
        }
        let (px, py) = chart.backend_coord(&(lo, top - 0.5));
        plot.draw(&Text::new(
            label(line),
            (px - 8, py),
            ("sans-serif", 12)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(1.0, 0.0), (1.0, n as f64)],
        BLACK.stroke_width(1),
    )))?;
    let legend = [("w32ipc", W32IPC), ("best peer crate", PEER)];
    for (k, (name, color)) in legend.iter().enumerate() {
        let x = LABELS as i32 + 30 + 170 * k as i32;
        let y = 12;
        legend_area.draw(&Rectangle::new(
            [(x, y - 6), (x + 14, y + 6)],
            color.filled(),
        ))?;
        legend_area.draw(&Text::new(
            name.to_string(),
            (x + 20, y),
            ("sans-serif", 12)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Writes the chart of `lines` to `path`.
pub fn write(path: &Path, lines: &[Line<'_>], machine: &Machine) -> io::Result<()> {
    std::fs::write(path, svg(lines, machine)?)
}
