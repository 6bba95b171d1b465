using InvoiceApp;
using InvoiceApp.Storage;
using Npgsql;
using PaymentProvider.Model;
using PaymentProvider.Storage;

namespace Persistence.Tests;

/// <summary>
/// Least privilege in the cluster's PostgreSQL, on a real server: the committed roles.sql, run as the cluster's
/// roles container runs it, gives each service a login role without SUPERUSER, CREATEDB or CREATEROLE that owns
/// only its own database; neither role can open, read or change the other's; each service's own start-up code
/// creates and uses its schema as that role; running it again changes nothing but a changed password.
/// </summary>
public sealed class DatabaseRolesTests
{
    private const string InsufficientPrivilege = "42501";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_role_logs_in_without_superuser_createdb_or_createrole_and_owns_only_its_database()
    {
        await using var roles = ServiceRoles.Create();

        await roles.ApplyAsync(Token);

        foreach (var service in new[] { roles.Invoices, roles.Payments })
        {
            var attributes = await roles.ScalarAsync<string>(
                """
                SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls)
                FROM pg_roles WHERE rolname = @role
                """,
                Token, parameters: ("role", service.Role));
            Assert.Equal("t,f,f,f,f,f", attributes);
            var owned = await roles.ScalarAsync<string[]>(
                "SELECT array_agg(datname ORDER BY datname) FROM pg_database WHERE pg_get_userbyid(datdba) = @role",
                Token, parameters: ("role", service.Role));
            Assert.Equal([service.Database], owned ?? []);
            var memberships = await roles.ScalarAsync<long>(
                "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = @role",
                Token, parameters: ("role", service.Role));
            Assert.Equal(0L, memberships);
            Assert.True(await roles.PasswordVerifiesAsync(service, roles.PasswordOf(service), Token),
                $"{service.Role}: the password from its Secret");
        }
    }

    [Theory]
    [InlineData("invoices")]
    [InlineData("payments")]
    public async Task A_role_cannot_open_read_or_change_the_other_services_database(string which)
    {
        await using var roles = ServiceRoles.Create();
        await roles.ApplyAsync(Token);
        var (own, other) = which == "invoices" ? (roles.Invoices, roles.Payments) : (roles.Payments, roles.Invoices);
        // The other service's data exists: its own start-up made the schema, as its role.
        await using (var otherDatabase = Database.FromConnectionString(roles.ConnectionString(other, other.Database), Path.GetTempPath()))
        {
            if (other == roles.Payments)
            {
                var store = new SqlPaymentStore(otherDatabase, TimeProvider.System);
                await store.InitializeAsync(Token);
                await store.RecordAsync(new PaymentRequestValues("P1", 12.15m, "EUR"), Token);
            }
            else
            {
                await new SqlInvoiceStore(otherDatabase).InitializeAsync(InvoiceAppServices.DemoInvoices, Token);
            }
        }

        // Not even a session: CONNECT belongs to the owner alone.
        await using (var intruder = new NpgsqlConnection(roles.ConnectionString(own, other.Database)))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => intruder.OpenAsync(Token));
            Assert.Equal(InsufficientPrivilege, refused.SqlState);
        }

        // From a session it may open, nothing reaches the other database or role either.
        await using var connection = new NpgsqlConnection(roles.ConnectionString(own, own.Database));
        await connection.OpenAsync(Token);
        foreach (var sql in new[]
        {
            $"DROP DATABASE \"{other.Database}\"",
            $"ALTER DATABASE \"{other.Database}\" OWNER TO \"{own.Role}\"",
            $"ALTER ROLE \"{other.Role}\" PASSWORD 'taken-over'",
            $"SET ROLE \"{other.Role}\"",
            $"CREATE DATABASE \"{own.Database}_more\"",
            $"CREATE ROLE \"{own.Role}_more\"",
            $"ALTER ROLE \"{own.Role}\" CREATEDB",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var denied = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Token));
            Assert.True(denied.SqlState == InsufficientPrivilege, $"{own.Role}: {sql} answered {denied.SqlState} {denied.MessageText}");
        }
        Assert.Equal(other.Role, await roles.ScalarAsync<string>(
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = @name", Token, parameters: ("name", other.Database)));
    }

    [Fact]
    public async Task Each_service_creates_and_uses_its_schema_as_its_own_role()
    {
        await using var roles = ServiceRoles.Create();
        await roles.ApplyAsync(Token);

        // The services' own start-up code, as each role: the database exists, so nothing needs CREATEDB.
        await using (var invoices = Database.FromConnectionString(roles.ConnectionString(roles.Invoices, roles.Invoices.Database),
            Path.GetTempPath()))
        {
            var store = new SqlInvoiceStore(invoices);
            await store.InitializeAsync(InvoiceAppServices.DemoInvoices, Token);
            var claim = await store.TryClaimAsync("I1", TimeSpan.FromMinutes(1), Token);
            Assert.NotNull(claim);
            await store.MarkPaidAsync(claim, Token);
            Assert.True((await store.ListAsync(InvoiceSelection.Paid, Token)).Single().IsPaid);
        }
        await using (var payments = Database.FromConnectionString(roles.ConnectionString(roles.Payments, roles.Payments.Database),
            Path.GetTempPath()))
        {
            var store = new SqlPaymentStore(payments, TimeProvider.System);
            await store.InitializeAsync(Token);
            await store.RecordAsync(new PaymentRequestValues("I1", 12.15m, "EUR"), Token);
            Assert.Equal("I1", Assert.Single(await store.ListAsync(Token)).Id);
        }

        Assert.Equal(roles.Invoices.Role, await roles.ScalarAsync<string>(
            "SELECT tableowner::text FROM pg_tables WHERE tablename = 'invoices'", Token, roles.Invoices.Database));
        Assert.Equal(roles.Payments.Role, await roles.ScalarAsync<string>(
            "SELECT tableowner::text FROM pg_tables WHERE tablename = 'payments'", Token, roles.Payments.Database));
    }

    [Fact]
    public async Task Applying_again_changes_nothing_but_a_changed_password_and_keeps_the_data()
    {
        await using var roles = ServiceRoles.Create();
        await roles.ApplyAsync(Token);
        await using (var invoices = Database.FromConnectionString(roles.ConnectionString(roles.Invoices, roles.Invoices.Database),
            Path.GetTempPath()))
        {
            await new SqlInvoiceStore(invoices).InitializeAsync(InvoiceAppServices.DemoInvoices, Token);
        }
        var before = await StateAsync(roles);
        var oldPassword = roles.PasswordOf(roles.Invoices);

        await roles.ApplyAsync(Token);
        Assert.Equal(before, await StateAsync(roles));
        Assert.True(await roles.PasswordVerifiesAsync(roles.Invoices, oldPassword, Token), "the same Secret keeps the same password");

        var newPassword = ServiceRoles.NewPassword();
        roles.ChangePassword(roles.Invoices, newPassword);
        await roles.ApplyAsync(Token);

        Assert.Equal(before, await StateAsync(roles));
        Assert.True(await roles.PasswordVerifiesAsync(roles.Invoices, newPassword, Token), "the role takes the Secret's new password");
        Assert.False(await roles.PasswordVerifiesAsync(roles.Invoices, oldPassword, Token), "the old password is gone");
        Assert.True(await roles.PasswordVerifiesAsync(roles.Payments, roles.PasswordOf(roles.Payments), Token),
            "the other role keeps its password");
        await using var again = Database.FromConnectionString(roles.ConnectionString(roles.Invoices, roles.Invoices.Database),
            Path.GetTempPath());
        Assert.Equal(3, (await new SqlInvoiceStore(again).ListAsync(InvoiceSelection.All, Token)).Count);

        static async Task<string?> StateAsync(ServiceRoles roles) =>
            await roles.ScalarAsync<string>(
                """
                SELECT string_agg(format('%s owner=%s acl=%s', d.datname, pg_get_userbyid(d.datdba), d.datacl), '; ' ORDER BY d.datname)
                  || ' | ' || (SELECT string_agg(format('%s %s%s%s%s', rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole),
                                                 '; ' ORDER BY rolname)
                               FROM pg_roles WHERE rolname IN (@invoicesRole, @paymentsRole))
                FROM pg_database d WHERE d.datname IN (@invoices, @payments)
                """,
                Token, parameters: [("invoices", roles.Invoices.Database), ("payments", roles.Payments.Database),
                    ("invoicesRole", roles.Invoices.Role), ("paymentsRole", roles.Payments.Role)]);
    }

    [Fact]
    public async Task A_database_an_earlier_deployment_made_as_the_superuser_is_handed_to_the_service_with_its_data()
    {
        await using var roles = ServiceRoles.Create();
        // Before roles.sql existed the services logged in as the superuser: database and tables are its.
        await using (var superuser = Database.FromConnectionString(roles.SuperuserConnectionString(roles.Payments.Database),
            Path.GetTempPath()))
        {
            var store = new SqlPaymentStore(superuser, TimeProvider.System);
            await store.InitializeAsync(Token);
            await store.RecordAsync(new PaymentRequestValues("P1", 12.15m, "EUR"), Token);
        }

        await roles.ApplyAsync(Token);

        await using var payments = Database.FromConnectionString(roles.ConnectionString(roles.Payments, roles.Payments.Database),
            Path.GetTempPath());
        var own = new SqlPaymentStore(payments, TimeProvider.System);
        await own.InitializeAsync(Token);
        await own.RecordAsync(new PaymentRequestValues("P2", 10.25m, "GBP"), Token);
        Assert.Equal(["P1", "P2"], (await own.ListAsync(Token)).Select(p => p.Id).Order());
        Assert.Equal(roles.Payments.Role, await roles.ScalarAsync<string>(
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = @name",
            Token, parameters: ("name", roles.Payments.Database)));
        Assert.Equal(0L, await roles.ScalarAsync<long>(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> @role
            """,
            Token, roles.Payments.Database, ("role", roles.Payments.Role)));
    }

    [Fact]
    public async Task A_privilege_granted_by_hand_is_taken_back_on_the_next_run()
    {
        await using var roles = ServiceRoles.Create();
        await roles.ApplyAsync(Token);
        await roles.ExecuteAsync($"ALTER ROLE \"{roles.Invoices.Role}\" SUPERUSER CREATEDB CREATEROLE", Token);
        await roles.ExecuteAsync($"GRANT pg_read_all_data, \"{roles.Payments.Role}\" TO \"{roles.Invoices.Role}\"", Token);
        await roles.ExecuteAsync($"GRANT CONNECT ON DATABASE \"{roles.Payments.Database}\" TO PUBLIC, \"{roles.Invoices.Role}\"", Token);

        await roles.ApplyAsync(Token);

        Assert.Equal("f,f,f", await roles.ScalarAsync<string>(
            "SELECT concat_ws(',', rolsuper, rolcreatedb, rolcreaterole) FROM pg_roles WHERE rolname = @role",
            Token, parameters: ("role", roles.Invoices.Role)));
        Assert.Equal(0L, await roles.ScalarAsync<long>(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = @role",
            Token, parameters: ("role", roles.Invoices.Role)));
        await using var intruder = new NpgsqlConnection(roles.ConnectionString(roles.Invoices, roles.Payments.Database));
        Assert.Equal(InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => intruder.OpenAsync(Token))).SqlState);
    }
}
