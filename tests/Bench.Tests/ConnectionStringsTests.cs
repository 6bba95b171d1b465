using Bench;

namespace Bench.Tests;

public sealed class ConnectionStringsTests
{
    [Fact]
    public void Another_database_replaces_the_one_given_and_keeps_server_and_user()
    {
        Assert.Equal("Host=127.0.0.1;Port=55432;Username=postgres;Password=secret;Database=bench_jit_1_invoices",
            ConnectionStrings.WithDatabase(
                "Host=127.0.0.1;Port=55432;database=postgres;Username=postgres;Password=secret;",
                "bench_jit_1_invoices"));
    }

    [Fact]
    public void A_connection_string_without_a_database_gets_one()
    {
        Assert.Equal("Host=db;Database=bench", ConnectionStrings.WithDatabase("Host=db", "bench"));
    }

    [Fact]
    public void The_printed_form_has_neither_password_nor_database()
    {
        Assert.Equal("Host=127.0.0.1;Port=5432;Username=postgres",
            ConnectionStrings.Described(
                "Host=127.0.0.1; Password = secret ;Port=5432;Username=postgres;Database=postgres"));
    }
}
