// Each test starts its own bot process, simulator and stand-in; run them one at a time so their timing is the bot's, not the machine's.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
