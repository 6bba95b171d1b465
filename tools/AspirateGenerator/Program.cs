using AspirateGenerator;

return GeneratorCommand.Run(args, Console.Out, Console.Error);
