package dev.streamtune.evaluator.service;

import java.util.List;

/** Short hand-written spam and ham messages for the end-to-end test with real MiniLM embeddings. */
final class Sentences {
    private Sentences() {}

    static final List<String> TRAIN_SPAM = List.of(
            "WIN a FREE iPhone now, click here to claim your prize",
            "Congratulations, you have been selected for a cash reward",
            "Cheap meds online, no prescription needed, order today",
            "Earn $5000 a week working from home, limited offer",
            "You won the lottery! Send your bank details to collect",
            "Hot singles in your area are waiting to chat with you",
            "Limited time deal: 90% off luxury watches, buy now",
            "Your account is suspended, verify your password at this link",
            "Get rich quick with this one weird crypto trick",
            "Claim your free vacation voucher before it expires tonight",
            "Lose 20 pounds in two weeks with this miracle pill",
            "Act now! Exclusive investment opportunity, guaranteed returns");
    static final List<String> TRAIN_HAM = List.of(
            "Can we move our meeting to three o'clock tomorrow?",
            "Here are the notes from today's project review",
            "Thanks for dinner last night, it was lovely to see you",
            "The quarterly report draft is attached for your comments",
            "Please remember to pick up milk on your way home",
            "I pushed the fix for the login bug, can you review it?",
            "Are you coming to the team lunch on Friday?",
            "The build is green again after the dependency update",
            "Mum says happy birthday and will call you this evening",
            "Let's schedule a call to discuss the hiring plan",
            "The library book you reserved is ready for pickup",
            "Could you send me the slides from the conference talk?");
    static final List<String> VALIDATION_SPAM = List.of(
            "URGENT: your parcel is held, pay the release fee here",
            "Double your bitcoin in 24 hours, guaranteed",
            "Free gift card waiting for you, just complete this survey",
            "Dear winner, claim your million dollar prize today",
            "Buy cheap replica handbags, huge discount, free shipping",
            "Your PayPal is locked, log in now to avoid closure",
            "Make money fast from your couch, no experience needed",
            "Exclusive casino bonus: 500 free spins, sign up now");
    static final List<String> VALIDATION_HAM = List.of(
            "I'll be ten minutes late to the standup",
            "The kids have swimming practice at five today",
            "Can you review my pull request before Thursday?",
            "Our flight lands at 6pm, see you at the airport",
            "Minutes from the board meeting are in the shared folder",
            "Do you want to grab coffee after the workshop?",
            "The plumber is coming on Monday morning",
            "Happy anniversary! Dinner reservation is at eight");
    static final List<String> TEST_SPAM = List.of(
            "Congratulations! You've won a brand new car, click to claim",
            "Lowest mortgage rates ever, apply in 60 seconds",
            "Hot stock tip: this penny stock will explode tomorrow",
            "Verify your bank account immediately or it will be closed");
    static final List<String> TEST_HAM = List.of(
            "Please find the signed contract attached",
            "What time does the school play start on Wednesday?",
            "Reminder: dentist appointment next Tuesday at 10",
            "Great job on the release, the customers love it");
}
