package dualwan.linux;

import dualwan.config.Ipv6;
import dualwan.config.Prefix6;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code conntrack --reply-dst PREFIX/LEN}, which conntrack-tools cannot do ("CIDR notation unavailable for
 * --reply-dst", 1.4.7): the entries of flows prefix-translated to an uplink are found by listing the other
 * selectors ({@code -L}, same family, mark and filters) and then deleted by each reply destination inside the
 * prefix exactly — so the result is the same set {@code --reply-dst} with a mask would delete. Pure.
 */
final class ReplyPrefix {

    /** Most distinct addresses deleted for one prefix (a LAN has far fewer hosts; bounds a hostile listing). */
    static final int MAX_ADDRESSES = 4096;

    private ReplyPrefix() {
    }

    /** The prefix of a {@code --reply-dst} argument written with a length, if the args have one. */
    static Optional<Prefix6> prefix(List<String> args) {
        int i = args.indexOf("--reply-dst");
        if (i < 0 || i + 1 >= args.size() || args.get(i + 1).indexOf('/') < 0) {
            return Optional.empty();
        }
        return Optional.of(Prefix6.parse(args.get(i + 1)));
    }

    /** {@code -L} with the other selectors: the entries that are candidates. */
    static List<String> listArgs(List<String> deleteArgs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < deleteArgs.size(); i++) {
            String a = deleteArgs.get(i);
            if (a.equals("--reply-dst")) {
                i++;
            } else {
                out.add(a.equals("-D") ? "-L" : a);
            }
        }
        return out;
    }

    /** One {@code -D} per distinct reply destination in the prefix found in {@code conntrack -L}'s text output. */
    static List<List<String>> deletes(List<String> deleteArgs, Prefix6 prefix, String listing) {
        Set<Inet6Address> found = new LinkedHashSet<>();
        for (String line : listing.split("\n")) {
            replyDestination(line).filter(prefix::contains).ifPresent(a -> {
                if (found.size() < MAX_ADDRESSES) {
                    found.add(a);
                }
            });
        }
        int at = deleteArgs.indexOf("--reply-dst") + 1;
        List<List<String>> out = new ArrayList<>();
        for (Inet6Address a : found) {
            List<String> argv = new ArrayList<>(deleteArgs);
            argv.set(at, Ipv6.text(a));
            out.add(List.copyOf(argv));
        }
        return out;
    }

    /** The second {@code dst=} of an entry line: the reply direction's destination (the translated address). */
    static Optional<Inet6Address> replyDestination(String line) {
        int seen = 0;
        for (String word : line.trim().split("\\s+")) {
            if (word.startsWith("dst=") && ++seen == 2) {
                return Ipv6.tryParse(word.substring(4));
            }
        }
        return Optional.empty();
    }
}
