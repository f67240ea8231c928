extension Records {
  /// Records that the client asked for their record on `date` (HIPAA 164.524: 30 days to answer).
  func addRequest(_ client: Client, date: Day, note: String, author: String, now: Int64) throws -> (Client, RecordRequest) {
    guard date <= Day.today() else { throw RecordError.invalidDate(date.description, "the request date is in the future") }
    try ClientRecord.checkText(note, field: "note", required: false)
    var index = client.index
    let request = RecordRequest(number: (index.requests.last?.number ?? 0) + 1, requested: date, time: now, author: author, note: note, fulfilledBy: nil)
    index.requests.append(request)
    return (try save(client, index), request)
  }

  /// Records an export as a disclosure to the client (basis client-request) and marks the oldest
  /// open request fulfilled; with no open request, records one dated `requested` (default today)
  /// and fulfils it at once.
  func recordExport(
    _ client: Client, what: String, identity: String, requested: Day?, author: String, now: Int64
  ) throws -> (Client, Disclosure, RecordRequest) {
    var index = client.index
    let today = Day.today()
    let number = (index.disclosures.last?.number ?? 0) + 1
    let disclosure = Disclosure(
      number: number, date: today, basis: .clientRequest, time: now, author: author, recipient: client.index.legalName, address: "",
      what: what, purpose: "the client's request for a copy of their record (HIPAA 164.524)", reason: identity, authorization: nil, corrects: nil)
    index.disclosures.append(disclosure)
    // The request waiting longest is answered first (or the one received on `requested`).
    let candidates = index.requests.indices.filter { index.requests[$0].fulfilledBy == nil }
    let open = candidates.filter { requested == nil || index.requests[$0].requested == requested }.min { index.requests[$0].requested < index.requests[$1].requested }
    if let requested, open == nil, !candidates.isEmpty {
      let dates = candidates.map { index.requests[$0].requested.description }.joined(separator: ", ")
      throw RecordError.invalidField("no open request was received on \(requested) (open requests: \(dates)); leave out --requested, or give one of those dates")
    }
    let request: RecordRequest
    if let open {
      index.requests[open].fulfilledBy = number
      request = index.requests[open]
    } else {
      let day = requested ?? today
      guard day <= today else { throw RecordError.invalidDate(day.description, "the request date is in the future") }
      request = RecordRequest(number: (index.requests.last?.number ?? 0) + 1, requested: day, time: now, author: author, note: "", fulfilledBy: number)
      index.requests.append(request)
    }
    return (try save(client, index), disclosure, request)
  }
}
