package dev.inception.cli;

/** "HxW" image sizes on the command line and in files. */
final class Sizes {

    private Sizes() {
    }

    static int height(String hw) {
        return parse(hw)[0];
    }

    static int width(String hw) {
        return parse(hw)[1];
    }

    static int[] parse(String hw) {
        String[] p = hw.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int h = Integer.parseInt(p[0].trim());
                int w = Integer.parseInt(p[1].trim());
                if (h >= 1 && w >= 1) {
                    return new int[] {h, w};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException("a size must look like 299x299 (height x width), got '" + hw + "'");
    }
}
