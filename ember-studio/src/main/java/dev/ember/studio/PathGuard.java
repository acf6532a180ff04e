package dev.ember.studio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a path that came from the page against a set of allowed roots. A relative path is taken
 * against each root in turn, an absolute one must already lie inside one. The answer is the real path
 * ({@link Path#toRealPath}, symbolic links followed), and it must still lie inside a root's real path, so
 * neither {@code ..} nor a link can lead out. Anything else is refused with a 403 naming the field.
 */
public final class PathGuard {
    private final List<Path> roots;

    /** Guards these roots; roots that do not exist yet are kept and allow nothing until they do. */
    public PathGuard(List<Path> roots) {
        this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /** The roots, absolute. */
    public List<Path> roots() { return roots; }

    /**
     * The real path of an existing file or directory named by {@code value} (field {@code field}, for messages).
     *
     * @throws ApiError 400 if empty or malformed, 403 if outside every root, 404 if it does not exist
     */
    public Path resolveExisting(String field, String value) {
        Path p = parse(field, value);
        boolean anyInside = false;
        for (Path root : existingRoots()) {
            Path candidate = p.isAbsolute() ? p : root.resolve(p);
            if (!candidate.normalize().startsWith(root)) continue;
            anyInside = true;
            if (!Files.exists(candidate)) continue;
            Path real = real(candidate);
            Path realRoot = real(root);
            if (real.startsWith(realRoot)) return real;
            throw ApiError.forbidden(field + ": '" + value + "' leads outside the allowed directories (a link?)");
        }
        if (!anyInside) throw ApiError.forbidden(field + ": '" + value + "' is outside the allowed directories " + roots);
        throw ApiError.notFound(field + ": '" + value + "' does not exist under " + roots);
    }

    /**
     * A path for a new file directly inside {@code root} (a plain file name, no directories).
     *
     * @throws ApiError 400 for a name with separators, dots or odd characters
     */
    public static Path newFileIn(Path root, String field, String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,120}") || name.contains(".."))
            throw ApiError.badRequest(field + ": '" + name + "' is not a plain file name (letters, digits, '.', '_', '-')");
        return root.resolve(name);
    }

    /** Whether {@code p} (absolute, real or not) lies inside one of the roots' real paths. */
    public boolean contains(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        for (Path root : roots) {
            if (!Files.exists(root)) continue;
            try {
                Path real = Files.exists(abs) ? abs.toRealPath() : abs;
                if (real.startsWith(root.toRealPath())) return true;
            } catch (IOException ex) {
                // unreadable: not contained
            }
        }
        return false;
    }

    private List<Path> existingRoots() {
        List<Path> out = new ArrayList<>();
        for (Path r : roots) if (Files.isDirectory(r)) out.add(r);
        return out;
    }

    private static Path parse(String field, String value) {
        if (value == null || value.isBlank()) throw ApiError.badRequest(field + ": a path is needed");
        if (value.indexOf('\0') >= 0) throw ApiError.badRequest(field + ": the path holds a NUL character");
        try {
            Path p = Path.of(value);
            for (Path part : p) if (part.toString().equals("..")) throw ApiError.forbidden(field + ": '" + value + "' climbs out with '..'");
            return p.isAbsolute() ? p.normalize() : p;
        } catch (InvalidPathException ex) {
            throw ApiError.badRequest(field + ": '" + value + "' is not a path: " + ex.getMessage());
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException ex) {
            return p.toAbsolutePath().normalize();
        }
    }
}
