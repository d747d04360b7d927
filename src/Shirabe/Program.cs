using Shirabe.Cli;

// One executable: the web server (`shirabe serve`) and the analysts' command line.
return await ShirabeCommands.Root().Parse(args).InvokeAsync();
