package auth0client

// SetPageSize sets the items per list page, for the external tests that
// page through a sandbox's lists.
func SetPageSize(c *Client, n int) { c.pageSize = n }
