import FluentKit

/// Every migration, in the order it runs. One change per migration; never edit one that has shipped.
enum HavenMigrations {
    static let all: [any Migration] = [
        CreatePeople(),         // 001
        CreateQueues(),         // 002
        CreateTickets(),        // 003
        CreateTicketEvents(),   // 004
        CreateAPITokens(),      // 005
        CreateMail(),           // 006
        CreateMailOriginals(),  // 007
        IndexAttachmentsByMessage(), // 008
        CreateOutbox(),         // 009
        AddTriageResults(),     // 010
        AddTopics(),            // 011
        CreateInAppChannel(),   // 012
        AddFormKey(),           // 013
        AddRouting(),           // 014
        CreateWebSessions(),    // 015
        AddTicketSearch(),      // 016
        IndexInbox(),           // 017
        CreateChats(),          // 018
        IndexOffers(),          // 019
        CreateExposures(),      // 020
        CreateCannedResponses(), // 021
        IndexLiveChats(),       // 022
        AddSearchTerms(),       // 023
        IndexWaitingByQueue(),  // 024
        AddAgentActivity(),     // 025
    ]
}
