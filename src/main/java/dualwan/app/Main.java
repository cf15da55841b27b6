package dualwan.app;

import dualwan.config.Config;
import dualwan.config.ConfigException;
import dualwan.config.ConfigLoader;
import dualwan.config.DnsConfig;
import dualwan.config.WanConfig;
import dualwan.control.ControlSocket;
import dualwan.control.ModeCommand;
import dualwan.engine.KernelTarget;
import dualwan.dns.DnsFollower;
import dualwan.gpio.Panel;
import dualwan.gpio.SelfTest;
import dualwan.linux.Discovery;
import dualwan.plan.NftPlanner;
import dualwan.linux.LinuxKernel;
import dualwan.linux.Preflight;
import dualwan.linux.Tools;
import dualwan.plan.Planner;
import dualwan.plan.Planner6;
import dualwan.linux.ProcessRunner;
import dualwan.plan.Reconciler;
import dualwan.plan.RoutingPlan;
import dualwan.mqtt.Credentials;
import dualwan.mqtt.MqttReporter;
import dualwan.probe.NativeProber;
import dualwan.probe.ProbeCommand;
import dualwan.sim.SimulateCommand;
import dualwan.sim.Simulator;
import dualwan.web.Password;
import dualwan.web.WebServer;
import org.tinylog.Logger;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Command line: {@code dualwan run|check|plan|status|mode|probe|simulate|selftest}. Exit codes: 0 ok, 1 failure, 2 bad input. */
public final class Main {

    static final String USAGE = """
            usage: dualwan COMMAND [options]
              run      --config FILE   run the daemon (needs CAP_NET_ADMIN and CAP_NET_RAW)
              check    --config FILE   validate the config; every error as file:line: key: message
              plan     --config FILE   print the ip commands and nftables table the daemon would apply (runs nothing)
              status   --config FILE   print the state file of the running daemon
              mode auto|UPLINK --config FILE   set the running daemon's mode; prints the resulting decision
              probe    --device IF --mark M [--method icmp|dns|tcp:PORT] HOST...   probe through one uplink
              simulate [--days N]      print detection time and false failovers at default settings
              selftest --config FILE [--provider gpiod|mock] [--wait 10s]
                                       front panel: blink each LED, wait for a button press (daemon stopped)
              init     [--write] [--config FILE]   look at the board and print a starting config; --write
                                       puts it in /etc/dualwan/dualwan.yaml (or FILE), keeping the old one
              cleanup  --config FILE   remove dualwan's rules, its tables' routes and its nftables table
            """;

    /** Simulated time for every uplink to be judged healthy, for {@code plan}. */
    private static final Duration STEADY_STATE = Duration.ofMinutes(2);

    /** By then the first probes, MQTT's first connect and the panel's boot pattern are done. */
    private static final Duration START_UP_SETTLED = Duration.ofSeconds(15);

    private Main() {
    }

    public static void main(String[] args) {
        LogSetup.configure(); // before the first log call
        int code = run(Arrays.asList(args), System.out, System.err);
        if (code != -1) {
            System.exit(code);
        }
    }

    /** Returns the exit code, or -1 when the daemon was started and the JVM must stay up. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "check" -> check(rest, out, err);
                case "plan" -> plan(rest, out, err);
                case "status" -> status(rest, out, err);
                case "mode" -> mode(rest, out, err);
                case "run" -> runDaemon(rest, err);
                case "probe" -> ProbeCommand.run(rest, out);
                case "simulate" -> SimulateCommand.run(rest, out);
                case "selftest" -> selftest(rest, out, err);
                case "cleanup" -> cleanup(rest, out, err);
                case "init" -> InitCommand.run(rest, out, err);
                case "-h", "--help", "help" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> {
                    err.println("unknown command " + args.get(0));
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (IOException e) {
            err.println("dualwan: " + e.getMessage());
            return 1;
        }
    }

    private static Optional<Config> load(List<String> args, PrintStream err) throws IOException {
        int i = args.indexOf("--config");
        if (i < 0 || i + 1 >= args.size()) {
            err.println("--config FILE is required");
            return Optional.empty();
        }
        Path file = Path.of(args.get(i + 1));
        if (!Files.isReadable(file)) {
            err.println(file + ": cannot read the file");
            return Optional.empty();
        }
        try {
            return Optional.of(ConfigLoader.load(file));
        } catch (ConfigException e) {
            e.errors().forEach(err::println);
            err.println(e.errors().size() + " error(s); nothing was changed");
            return Optional.empty();
        }
    }

    private static int check(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Optional<Config> config = load(args, err);
        if (config.isEmpty()) {
            return 2;
        }
        if (toolProblems(Preflight.problems(config.get()), err)) {
            return 2;
        }
        out.println(config.get().source() + ": ok, " + config.get().wans().size() + " uplinks");
        // Files the daemon reads only at start: a problem is a warning here (check may run as another user).
        config.get().mqtt().ifPresent(m -> {
            try {
                Credentials.load(config.get().source(), m);
            } catch (ConfigException e) {
                e.errors().forEach(x -> err.println("warning: " + x + " (checked again when the daemon starts)"));
            }
        });
        try {
            WebServer.password(config.get());
        } catch (ConfigException e) {
            e.errors().forEach(x -> err.println("warning: " + x + " (checked again when the daemon starts)"));
        }
        return 0;
    }

    /**
     * The steady-state plan against the kernel now: the daemon's own engine, run on a simulated network where
     * every probe answers, with the uplinks' addressing read from the kernel.
     */
    private static int plan(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Optional<Config> loaded = load(args, err);
        if (loaded.isEmpty()) {
            return 2;
        }
        Config config = loaded.get();
        LinuxKernel kernel = new LinuxKernel(new ProcessRunner(), Tools.find());
        Map<String, Planner.UplinkAddressing> addressing = Discovery.readAll(kernel, config.wans());
        Map<String, Planner6.Uplink6> facts6 = Plan6Output.facts(config, kernel, out);
        Optional<KernelTarget> target = Simulator.run(config, Simulator.Network.perfect(), STEADY_STATE, addressing,
                facts6).lastTarget();
        if (target.isEmpty()) {
            err.println("dualwan: the engine made no plan (no uplink has an interface?)");
            return 1;
        }
        RoutingPlan plan = target.get().plan();
        String best = config.wans().stream().min((a, b) -> Integer.compare(a.priority(), b.priority())).orElseThrow().name();
        List<List<String>> commands;
        try {
            commands = Reconciler.commands(plan, kernel.rules(), kernel.tables(plan.tables().keySet()));
            out.println("# commands to reach the plan from the kernel's current state, with every uplink healthy ("
                    + best + " preferred):");
        } catch (IOException e) {
            commands = Reconciler.commands(plan, List.of(), Map.of());
            out.println("# cannot read the kernel (" + e.getMessage() + "); the full plan from nothing:");
        }
        commands.forEach(c -> out.println("ip " + String.join(" ", c)));
        if (commands.isEmpty()) {
            out.println("# nothing: the kernel already matches");
        }
        String nft = target.get().nft();
        Optional<String> listed;
        try {
            listed = kernel.nftTable();
        } catch (IOException e) {
            listed = Optional.empty();
        }
        if (listed.flatMap(NftPlanner::planId).equals(NftPlanner.planId(nft))) {
            out.println("# the nftables table is in place (same plan id)");
        } else {
            out.println("# the nftables table (nft -f -):");
            out.print(nft);
        }
        Plan6Output.print(config, kernel, facts6, target.get().plan6(), out);
        return 0;
    }

    private static int status(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Optional<Config> config = load(args, err);
        if (config.isEmpty()) {
            return 2;
        }
        Path state = config.get().stateFile();
        if (!Files.isReadable(state)) {
            err.println(state + ": no state file (is the daemon running?)");
            return 1;
        }
        out.print(Files.readString(state));
        return 0;
    }

    private static int mode(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Optional<Config> config = load(args, err);
        return config.isEmpty() ? 2 : ModeCommand.run(config.get(), args, out, err);
    }

    private static int selftest(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Optional<Config> config = load(args, err);
        if (config.isEmpty()) {
            return 2;
        }
        if (config.get().gpio().isEmpty()) {
            err.println(config.get().source() + ": no gpio section, so no front panel to test (see board/gpio-pi4.yaml)");
            return 2;
        }
        return SelfTest.run(config.get().gpio().get(), args, out, err);
    }

    /** A missing or too old ip, nft or conntrack: each said on its own line, before anything else happens. */
    private static boolean toolProblems(List<String> problems, PrintStream err) {
        problems.forEach(p -> err.println("dualwan: " + p));
        return !problems.isEmpty();
    }

    private static int cleanup(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Optional<Config> config = load(args, err);
        return config.isEmpty() ? 2 : KernelCleanup.run(config.get(), new LinuxKernel(new ProcessRunner(), Tools.find()),
                out, err);
    }

    private static int runDaemon(List<String> args, PrintStream err) {
        Optional<Config> config;
        try {
            config = load(args, err);
        } catch (IOException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (config.isEmpty()) {
            return 2;
        }
        Tools tools = Tools.find();
        if (toolProblems(Preflight.check(config.get(), tools), err)) {
            return 2;
        }
        Optional<Credentials> credentials = Optional.empty();
        if (config.get().mqtt().isPresent()) {
            try {
                credentials = Optional.of(Credentials.load(config.get().source(), config.get().mqtt().get()));
            } catch (ConfigException e) {
                e.errors().forEach(err::println);
                err.println(e.errors().size() + " error(s); nothing was changed");
                return 2;
            }
        }
        Optional<Password> webPassword;
        try {
            webPassword = WebServer.password(config.get());
        } catch (ConfigException e) {
            e.errors().forEach(err::println);
            err.println(e.errors().size() + " error(s); nothing was changed");
            return 2;
        }
        Daemon daemon = new Daemon(config.get(), new LinuxKernel(new ProcessRunner(), tools), NativeProber::new,
                Clock.systemUTC());
        daemon.onFatal(reason -> {
            Logger.error("{}; exiting so that the service manager restarts dualwan", reason);
            Thread exit = new Thread(() -> System.exit(1), "dualwan-exit"); // not on the loop: the hooks stop it
            exit.start();
        });
        Optional<DnsFollower> dns = config.get().dns().filter(DnsConfig::followActive)
                .map(d -> new DnsFollower(config.get(), d, daemon::setSection));
        dns.ifPresent(daemon::addListener);
        List<String> uplinks = config.get().wans().stream().map(WanConfig::name).toList();
        Optional<Panel> panel = config.get().gpio()
                .flatMap(g -> Panel.open(g, uplinks, daemon::setMode, daemon::setSection));
        panel.ifPresent(p -> {
            daemon.addListener(p);
            p.start();
        });
        Optional<MqttReporter> mqtt = credentials.map(c -> MqttReporter.create(config.get(), c, daemon::setMode,
                section -> daemon.setSection("mqtt", section)));
        mqtt.ifPresent(daemon::addListener);
        Optional<WebServer> web = config.get().web().map(w -> new WebServer(config.get(), w, webPassword,
                daemon::setMode));
        web.ifPresent(daemon::addListener);
        AtomicReference<Optional<ControlSocket>> control = new AtomicReference<>(Optional.empty());
        CountDownLatch stopped = new CountDownLatch(1);
        Optional<SdNotify> systemd = SdNotify.fromEnvironment();
        systemd.ifPresent(n -> n.watchdogInterval().ifPresent(interval -> daemon.watchdog(new Watchdog() {
            @Override
            public Duration interval() {
                return interval;
            }

            @Override
            public void ping() {
                n.watchdog(); // from the control loop itself: a stuck loop stops the pings, systemd restarts us
            }
        })));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            systemd.ifPresent(SdNotify::stopping);
            Logger.info("stopping; routes stay as they are so the LAN keeps working");
            mqtt.ifPresent(MqttReporter::close); // publishes offline first
            control.get().ifPresent(ControlSocket::close);
            web.ifPresent(WebServer::close);
            panel.ifPresent(Panel::close); // LEDs off
            daemon.close();
            dns.ifPresent(DnsFollower::close);
            stopped.countDown();
        }, "dualwan-shutdown"));
        try {
            mqtt.ifPresent(MqttReporter::start); // connects on its own thread, while the daemon starts
            web.ifPresent(WebServer::start); // binds, or keeps trying on its own timer: never stops the daemon
            daemon.start(); // returns once the first decision is made
            control.set(ControlSocket.open(ControlSocket.path(config.get()), daemon::setMode));
            systemd.ifPresent(SdNotify::ready); // Type=notify: active from here, "dualwan mode" works too
            if (!stopped.await(START_UP_SETTLED.toMillis(), TimeUnit.MILLISECONDS)) {
                NativeHeap.trim(); // start-up's garbage is behind us
            }
            stopped.await(); // the loop's threads are daemon threads: this one keeps the JVM up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Logger.error(e, "start failed");
            panel.ifPresent(Panel::close);
            return 1;
        }
        return -1;
    }

}
