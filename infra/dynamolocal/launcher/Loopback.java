// Loopback starts DynamoDB Local exactly as its own main class does, but
// binds the HTTP listener to 127.0.0.1 instead of every interface, which
// the jar offers no option for. Arguments are DynamoDB Local's own
// (-inMemory, -port N, ...). Compiled once by infra/dynamolocal into the
// cache directory and run with DynamoDBLocal.jar on the class path.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class Loopback {
  private Loopback() {}

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) {
      throw new IllegalStateException("DynamoDB Local has no connector to bind");
    }
    for (Connector c : connectors) {
      if (!(c instanceof AbstractNetworkConnector)) {
        throw new IllegalStateException("unexpected connector " + c.getClass().getName());
      }
      ((AbstractNetworkConnector) c).setHost("127.0.0.1");
    }
    proxy.start();
  }
}
