package dualwan.linux;

import dualwan.config.Config;
import dualwan.config.ConntrackConfig;
import dualwan.linux.Tools.Found;
import dualwan.linux.Tools.Tool;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Before the daemon touches the kernel: are the programs this config needs there, and new enough? {@code dualwan
 * run} and {@code dualwan check} print each problem and exit 2, so a missing {@code nft} is one clear line at
 * start instead of a failed apply every few seconds.
 */
public final class Preflight {

    /** A tool's release as it prints it. */
    record Version(int major, int minor, int patch) implements Comparable<Version> {

        @Override
        public int compareTo(Version o) {
            return major != o.major ? Integer.compare(major, o.major)
                    : minor != o.minor ? Integer.compare(minor, o.minor) : Integer.compare(patch, o.patch);
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + patch;
        }
    }

    /**
     * iproute2 4.17 (June 2018) is the first whose {@code ip -json rule show} prints JSON ("iprule: add json
     * support"); {@code -json} of addr (4.14) and route (4.17) are no newer, and {@code ip monitor ... rule} and
     * {@code suppress_prefixlength} are older still.
     */
    static final Version MIN_IPROUTE2 = new Version(4, 17, 0);
    /** Until 5.7, {@code ip -V} printed a snapshot date instead of a version: 4.17's was 180608. */
    static final int MIN_IPROUTE2_SNAPSHOT = 180608;
    /**
     * nftables 0.9.7 (December 2020) is the first to take a comment on a table ("src: add comment support when
     * adding tables"), where dualwan keeps its plan id; dynamic maps, named chain priorities and NAT in the
     * inet family (0.9.1) and {@code nft -t} (0.9.3) are older.
     */
    static final Version MIN_NFTABLES = new Version(0, 9, 7);
    /**
     * conntrack-tools 1.2.0 (2012) is the first whose {@code -D} filters on {@code --mark} itself; the other
     * options dualwan passes ({@code --reply-dst}, {@code -p}, {@code --dport}, {@code -F}) and the "N flow
     * entries have been deleted" count are older.
     */
    static final Version MIN_CONNTRACK = new Version(1, 2, 0);

    private static final Pattern IPROUTE2 = Pattern.compile("iproute2-v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    private static final Pattern IPROUTE2_SNAPSHOT = Pattern.compile("iproute2-ss(\\d{6})\\b");
    private static final Pattern NFTABLES = Pattern.compile("nftables v(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    private static final Pattern CONNTRACK = Pattern.compile("conntrack v(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private Preflight() {
    }

    /** {@link #check} against the tools of this machine ({@link Tools#find()}). */
    public static List<String> problems(Config config) {
        return check(config, Tools.find());
    }

    /**
     * What keeps {@code config} from running with these tools: one sentence each, empty when nothing does. A
     * version text this code cannot read (a new format) is not a problem: only a version known to be too old is.
     */
    public static List<String> check(Config config, Tools tools) {
        List<String> problems = new ArrayList<>();
        for (Tool tool : needed(config)) {
            Optional<Found> found = tools.found(tool);
            if (found.isEmpty()) {
                problems.add(tools.notFound(tool) + ": " + why(tool, config) + "; install the Debian package "
                        + tool.debianPackage + suggestion(tool));
            } else if (tooOld(tool, found.get().versionText())) {
                problems.add(found.get().path() + " is too old (" + firstLine(found.get().versionText()) + "): "
                        + why(tool, config) + ", which needs " + minimum(tool) + " or later");
            }
        }
        return problems;
    }

    /**
     * ip always (routes, rules, kernel events); nft always, because the daemon always writes its table
     * {@code inet dualwan} (with {@code nat: none} on every uplink and no policy too); conntrack unless
     * {@code conntrack.flush: none}, the one setting under which no flush (not even after an address change)
     * ever runs.
     */
    static Set<Tool> needed(Config config) {
        Set<Tool> needed = EnumSet.of(Tool.IP, Tool.NFT);
        if (config.conntrack().flush() != ConntrackConfig.Flush.NONE) {
            needed.add(Tool.CONNTRACK);
        }
        return needed;
    }

    /** The release a version text names, or empty when it names none this code can read. */
    static Optional<Version> version(Tool tool, String text) {
        if (tool == Tool.IP) {
            Matcher snapshot = IPROUTE2_SNAPSHOT.matcher(text);
            if (snapshot.find()) {
                // A date is no version; all that matters is which side of 4.17's snapshot it is on.
                return Optional.of(Integer.parseInt(snapshot.group(1)) >= MIN_IPROUTE2_SNAPSHOT
                        ? MIN_IPROUTE2 : new Version(4, 16, 0));
            }
        }
        Matcher m = switch (tool) {
            case IP -> IPROUTE2.matcher(text);
            case NFT -> NFTABLES.matcher(text);
            case CONNTRACK -> CONNTRACK.matcher(text);
        };
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
        } catch (NumberFormatException e) {
            return Optional.empty(); // digits beyond int: not a version we know
        }
    }

    private static boolean tooOld(Tool tool, String versionText) {
        return version(tool, versionText).map(v -> v.compareTo(minimum(tool)) < 0).orElse(false);
    }

    static Version minimum(Tool tool) {
        return switch (tool) {
            case IP -> MIN_IPROUTE2;
            case NFT -> MIN_NFTABLES;
            case CONNTRACK -> MIN_CONNTRACK;
        };
    }

    private static String why(Tool tool, Config config) {
        return switch (tool) {
            case IP -> "dualwan sets its routes and rules with ip";
            case NFT -> "dualwan keeps its nftables table (NAT, policies) with nft";
            case CONNTRACK -> "conntrack.flush: " + config.conntrack().flush().label()
                    + " deletes moved flows with conntrack";
        };
    }

    private static String suggestion(Tool tool) {
        return tool == Tool.CONNTRACK ? ", or set conntrack.flush: none" : "";
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
