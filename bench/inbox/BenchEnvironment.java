import io.mailroom.common.store.AccountStore;
import io.mailroom.common.store.RedisConnections;
import io.mailroom.common.store.StoreSettings;
import io.mailroom.testkit.DovecotServer;
import io.mailroom.testkit.RedisServer;
import io.mailroom.testkit.RspamdServer;
import io.mailroom.testkit.UnboundServer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The servers behind the Inbox benchmark, from the testkit: Redis, Dovecot (LMTP + IMAP),
 * Unbound serving the sender's SPF/DMARC records, and Rspamd. Creates the benchmark account,
 * writes the ports to the file given as argument, and runs until stdin closes.
 * Run as a single-file program: java -cp <test classpath> BenchEnvironment.java ports.env
 */
public class BenchEnvironment {
    public static void main(String[] args) throws Exception {
        RedisServer redis = new RedisServer();
        DovecotServer dovecot = new DovecotServer(redis);
        UnboundServer dns = new UnboundServer();
        RspamdServer rspamd = new RspamdServer(redis, dns);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            rspamd.stop();
            dns.stop();
            dovecot.stop();
            redis.stop();
        }));
        redis.start();
        dovecot.start();
        dns.zone("example.com", z -> z.txt("example.com", "v=spf1 ip4:127.0.0.0/8 -all")
                .txt("_dmarc.example.com", "v=DMARC1; p=none"));
        dns.start();
        rspamd.start();
        try (RedisConnections c = RedisConnections.open(redis.uri())) {
            AccountStore store = new AccountStore(c.dataSource(), new StoreSettings(dovecot.mailRoot(), '+', 4));
            store.createDomain("example.test");
            store.createUser("bench@example.test", "bench-password");
        }
        Files.writeString(Path.of(args[0]), "REDIS_URI=" + redis.uri() + "\nLMTP_PORT=" + dovecot.lmtpPort()
                + "\nDNS_PORT=" + dns.port() + "\nRSPAMD_PORT=" + rspamd.normalPort()
                + "\nMAIL_ROOT=" + dovecot.mailRoot() + "\n");
        System.out.println("bench environment ready");
        while (System.in.read() != -1) {
            // wait for the script to close our stdin
        }
        System.exit(0);
    }
}
