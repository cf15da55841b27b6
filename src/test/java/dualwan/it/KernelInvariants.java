package dualwan.it;

import dualwan.lab.Lab;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What must hold in the router's kernel whatever moment the daemon died at: each of dualwan's rule priorities
 * once, no route twice in its tables, one default in the LAN table, exactly one nftables table of ours. Read
 * from {@code ip -j rule}, {@code ip -j route show table all} and {@code nft -j list tables}.
 */
final class KernelInvariants {
    static final int FIRST_PRIORITY = 1000;
    static final int LAST_PRIORITY = 1099;
    static final List<Integer> TABLES = List.of(101, 102, 200);
    static final int LAN_TABLE = 200;

    private KernelInvariants() {}

    /** The owned rule priorities, sorted (with repeats, if the kernel has any). */
    static List<Integer> ownedPriorities(Lab lab) {
        List<Integer> out = new ArrayList<>();
        for (Map<String, Object> r : Daemon.jsonList(Daemon.rules(lab))) {
            int p = ((Number) r.get("priority")).intValue();
            if (p >= FIRST_PRIORITY && p <= LAST_PRIORITY) {
                out.add(p);
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Every violation found now, in words (empty: all hold). {@code rulesExpected} is the set of owned
     * priorities the settled daemon had (empty: not known yet, only duplicates are looked for).
     */
    static List<String> violations(Lab lab, List<Integer> rulesExpected) {
        List<String> v = new ArrayList<>();
        List<Integer> prios = ownedPriorities(lab);
        if (new TreeSet<>(prios).size() != prios.size()) {
            v.add("duplicate rule priorities: " + prios);
        }
        if (!rulesExpected.isEmpty() && !new ArrayList<>(new TreeSet<>(prios)).equals(rulesExpected)) {
            v.add("rule priorities " + prios + ", expected " + rulesExpected);
        }
        Map<String, Integer> seen = new HashMap<>();
        int lanDefaults = 0;
        String routes = Daemon.ok(lab.exec("rtr", "ip", "-N", "-json", "route", "show", "table", "all"));
        for (Map<String, Object> r : Daemon.jsonList(routes)) {
            int table = r.get("table") instanceof Number n ? n.intValue()
                    : r.get("table") instanceof String s && s.matches("\\d+") ? Integer.parseInt(s) : -1;
            if (!TABLES.contains(table)) {
                continue;
            }
            String key = table + " " + Objects.toString(r.get("type"), "unicast") + " " + r.get("dst") + " metric "
                    + Objects.toString(r.get("metric"), "0");
            seen.merge(key, 1, Integer::sum);
            if (table == LAN_TABLE && "default".equals(r.get("dst"))) {
                lanDefaults++;
            }
        }
        seen.forEach((k, n) -> {
            if (n > 1) {
                v.add("route " + k + " " + n + " times");
            }
        });
        if (lanDefaults != 1) {
            v.add("table " + LAN_TABLE + " holds " + lanDefaults + " default routes:\n" + routes);
        }
        long ours = 0;
        for (Map<String, Object> item : nftItems(lab)) {
            if (item.get("table") instanceof Map<?, ?> t && "dualwan".equals(t.get("name"))) {
                ours++;
                if (!"inet".equals(t.get("family"))) {
                    v.add("a dualwan table of family " + t.get("family"));
                }
            }
        }
        if (ours != 1) {
            v.add(ours + " nftables tables named dualwan");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> nftItems(Lab lab) {
        String json = Daemon.ok(lab.exec("rtr", "nft", "-j", "list", "tables"));
        try {
            Object items = com.fasterxml.jackson.jr.ob.JSON.std.mapFrom(json).get("nftables");
            return items instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
