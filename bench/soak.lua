-- A partner site's mix of reads, rotated request by request: lists with certifications, one
-- company in depth, search, statistics, open tenders.
local bodies = {
  '{"query":"{ companies(first: 20, filter: { district: NANCHANG, serviceLine: SOFTWARE_DEVELOPMENT }) { totalCount nodes { name headcount certifications { standard status } } } }"}',
  '{"query":"{ companies(first: 20, filter: { district: GANZHOU }) { nodes { name park { name } certifications { standard } } } }"}',
  '{"query":"query($id: ID!) { company(id: $id) { name nameZh park { name } certifications { standard expiryDate } figures { year employees } } }","variables":{"id":"Q29tcGFueToy"}}',
  '{"query":"query($id: ID!) { company(id: $id) { name nameZh park { name } certifications { standard expiryDate } figures { year employees } } }","variables":{"id":"Q29tcGFueTo1MDA"}}',
  '{"query":"{ search(query: \\"software outsourcing\\", facets: [DISTRICT]) { totalHits edges { node { __typename } } } }"}',
  '{"query":"{ search(query: \\"南昌 软件\\") { totalHits } }"}',
  '{"query":"{ statistics(year: 2014) { companies employees districts { district { code } companies } } }"}',
  '{"query":"{ tenders(first: 50, filter: { status: ACTIVE }) { nodes { title buyer { name } } } }"}',
  '{"query":"{ companies(first: 20, filter: { district: NANCHANG, serviceLine: SOFTWARE_DEVELOPMENT }) { totalCount nodes { name headcount certifications { standard status } } } }"}',
  '{"query":"{ parks(first: 20) { nodes { name companies(first: 5) { nodes { name } } } } }"}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/graphql", { ["Content-Type"] = "application/json" }, bodies[(i % #bodies) + 1])
end
