package dev.ember.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a run's curves from its JSON-lines log as an SVG: on the left the training loss per
 * logged step and per epoch with the validation loss, on the right the validation accuracy.
 * Values the log holds as {@code null} (non-finite) are left out.
 */
public final class CurvePlot {
    private CurvePlot() {}

    private static final int W = 420, H = 300, PAD = 48;

    /** Reads {@code log} and writes the SVG to {@code svg}. */
    public static void write(Path log, Path svg) {
        List<JsonObject> records = RunLog.read(log);
        List<double[]> steps = new ArrayList<>(), trainLoss = new ArrayList<>(), valLoss = new ArrayList<>(), valAcc = new ArrayList<>();
        for (JsonObject r : records) {
            double x = RunLog.value(r, "step");
            String type = r.has("type") ? r.get("type").getAsString() : "";
            if (type.equals("step")) steps.add(new double[]{x, RunLog.value(r, "loss")});
            else if (type.equals("epoch")) {
                trainLoss.add(new double[]{x, RunLog.value(r, "loss")});
                JsonObject m = r.getAsJsonObject("metrics");
                if (m != null && m.has("val_loss")) valLoss.add(new double[]{x, RunLog.value(m, "val_loss")});
                if (m != null && m.has("val_accuracy")) valAcc.add(new double[]{x, RunLog.value(m, "val_accuracy")});
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", 2 * W, H));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        panel(sb, 0, "loss", List.of(steps, trainLoss, valLoss), new String[]{"#9ecae1", "#08519c", "#e6550d"},
                new String[]{"train (step)", "train (epoch)", "validation"});
        panel(sb, W, "validation accuracy", List.of(valAcc), new String[]{"#31a354"}, new String[]{"validation"});
        sb.append("</svg>\n");
        try {
            Files.writeString(svg, sb.toString());
        } catch (IOException ex) {
            throw new UncheckedIOException("CurvePlot: cannot write " + svg + ": " + ex.getMessage(), ex);
        }
    }

    private static void panel(StringBuilder sb, int x0, String title, List<List<double[]>> series, String[] colors, String[] names) {
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY, minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (List<double[]> s : series)
            for (double[] p : s) {
                if (!Double.isFinite(p[1])) continue;
                minX = Math.min(minX, p[0]); maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]); maxY = Math.max(maxY, p[1]);
            }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\">%s</text>%n", x0 + PAD, title));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n", x0 + PAD, 24, W - PAD - 10, H - 24 - PAD));
        if (minX == Double.POSITIVE_INFINITY) return;
        if (maxX == minX) maxX = minX + 1;
        if (maxY == minY) { maxY += 0.5; minY -= 0.5; }
        final double fx0 = minX, fx1 = maxX, fy0 = minY, fy1 = maxY;
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.3g</text><text x=\"%d\" y=\"%d\">%.3g</text>%n",
                x0 + 2, 30, fy1, x0 + 2, H - PAD, fy0));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">step %.0f</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n",
                x0 + PAD, H - PAD + 14, fx0, x0 + W - 10, H - PAD + 14, fx1));
        for (int i = 0; i < series.size(); i++) {
            List<double[]> s = series.get(i);
            if (s.isEmpty()) continue;
            StringBuilder pts = new StringBuilder();
            for (double[] p : s) {
                if (!Double.isFinite(p[1])) continue;
                double px = x0 + PAD + (p[0] - fx0) / (fx1 - fx0) * (W - PAD - 10);
                double py = 24 + (1 - (p[1] - fy0) / (fy1 - fy0)) * (H - 24 - PAD);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n", colors[i], pts.toString().trim()));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", x0 + PAD + 6 + 110 * i, H - 12, colors[i], names[i]));
        }
    }
}
