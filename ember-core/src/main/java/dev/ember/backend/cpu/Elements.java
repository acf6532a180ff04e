package dev.ember.backend.cpu;

/**
 * Reads and writes one element of any heap array as double or long: the
 * generic (slow) path that serves every dtype the fast paths do not.
 */
final class Elements {
    private Elements() {}

    static double getD(Object a, int i) {
        return switch (a) {
            case float[] f -> f[i];
            case double[] d -> d[i];
            case int[] n -> n[i];
            case long[] l -> l[i];
            case byte[] b -> b[i];
            default -> throw new IllegalStateException("not a storage array: " + a.getClass());
        };
    }

    static long getL(Object a, int i) {
        return switch (a) {
            case float[] f -> (long) f[i];
            case double[] d -> (long) d[i];
            case int[] n -> n[i];
            case long[] l -> l[i];
            case byte[] b -> b[i];
            default -> throw new IllegalStateException("not a storage array: " + a.getClass());
        };
    }

    static void setD(Object a, int i, double v) {
        switch (a) {
            case float[] f -> f[i] = (float) v;
            case double[] d -> d[i] = v;
            case int[] n -> n[i] = (int) v;
            case long[] l -> l[i] = (long) v;
            case byte[] b -> b[i] = (byte) (v != 0 ? 1 : 0);
            default -> throw new IllegalStateException("not a storage array: " + a.getClass());
        }
    }

    static void setL(Object a, int i, long v) {
        switch (a) {
            case float[] f -> f[i] = v;
            case double[] d -> d[i] = v;
            case int[] n -> n[i] = (int) v;
            case long[] l -> l[i] = v;
            case byte[] b -> b[i] = (byte) (v != 0 ? 1 : 0);
            default -> throw new IllegalStateException("not a storage array: " + a.getClass());
        }
    }

    static boolean integral(Object a) {
        return a instanceof int[] || a instanceof long[] || a instanceof byte[];
    }
}
