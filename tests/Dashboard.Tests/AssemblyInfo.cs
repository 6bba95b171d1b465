// Each collection starts a whole system with its dashboard; one at a time keeps a shared CI machine responsive
// and the browser steps within their timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
