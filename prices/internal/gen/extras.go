package main

// extras are models that are live but missing from the docs snapshot the
// catalogue was extracted from. Each one says where its numbers come from, so
// it can be dropped once the docs list it.
var extras = []model{
	{
		IDs:         []string{"mistral-large-4", "mistral-large-4-0"},
		Name:        "Mistral Large 4",
		Status:      "GA",
		Context:     524288,
		TokenPriced: true,
		Input:       0.68,
		Output:      2.09,
		CachedInput: 0.07,
		Note: "observed live price, not in the docs snapshot: launch discount (list $1.36/$4.18); " +
			"max_context_length 524288 from /v1/models; source: shared/docs/mistral-api.md section 14 [observed, 3rd-party audit]",
	},
}
