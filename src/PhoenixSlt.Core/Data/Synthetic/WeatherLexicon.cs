namespace PhoenixSlt.Core.Data.Synthetic;

/// Seasons a phrase fits (snow in winter, thunderstorms in summer…).
[Flags]
internal enum Season
{
    Winter = 1,
    Spring = 2,
    Summer = 4,
    Autumn = 8,
    Any = Winter | Spring | Summer | Autumn,
}

/// A time or place adverbial: its gloss(es) and its German phrase ("NORD" ↔ "im norden").
internal sealed record Adverbial(string Gloss, string German, bool Night = false);

/// Which part of a realisation may open a main clause before the finite verb.
internal enum FrontPart { None, Pre, Post }

/// One German way of saying a weather phenomenon, split for verb-second order:
/// [front] Verb Pre [adverbials] Post Particle, e.g. "am tag | scheint | — | im süden | die sonne".
/// In a subordinate clause: Pre [adverbials] Post Particle+Verb ("während im süden die sonne scheint").
internal sealed record Realisation(string Verb, string Pre, string Post, string Particle, FrontPart Front)
{
    /// "verb|pre|post|particle|front" with front one of "", "pre", "post".
    public static Realisation Parse(string spec)
    {
        string[] p = spec.Split('|');
        if (p.Length != 5) throw new ArgumentException($"realisation '{spec}' needs 5 '|'-separated parts", nameof(spec));
        var front = p[4] switch { "pre" => FrontPart.Pre, "post" => FrontPart.Post, "" => FrontPart.None, _ => throw new ArgumentException($"bad front in '{spec}'", nameof(spec)) };
        return new Realisation(p[0], p[1], p[2], p[3], front);
    }

    /// Light verbs carry no gloss of their own ("gibt es schauer", "ist es sonnig").
    public bool VerbIsLight => WeatherLexicon.LightVerbs.Contains(Verb);

    /// "es" and "sich" are not glossed; a real subject ("der wind") is part of the meaning unit.
    public bool PreIsFunctionWord => Pre is "" or "es" or "sich";
}

/// A weather phenomenon with its glosses and interchangeable German realisations.
internal sealed record Phenomenon(string Gloss, Season Seasons, Realisation[] Forms);

/// The lexicon of the synthetic weather-forecast language. Glosses follow PHOENIX conventions
/// (uppercase, umlauts transliterated: SUED, KUEHL); German words are lowercase.
internal static class WeatherLexicon
{
    public static readonly HashSet<string> LightVerbs = ["ist", "bleibt", "wird", "gibt", "sind", "besteht", "kommt"];

    public static readonly Adverbial[] Times =
    [
        new("HEUTE", "heute"), new("MORGEN", "morgen"), new("UEBERMORGEN", "übermorgen"),
        new("HEUTE NACHT", "heute nacht@1", Night: true), new("NACHT", "in der nacht", Night: true),
        new("NACHT VERLAUF", "im laufe@1 der nacht", Night: true), new("HEUTE ABEND", "heute abend@1", Night: true),
        new("TAG", "am tag"), new("VORMITTAG", "am vormittag"), new("NACHMITTAG", "am nachmittag"),
        new("ABEND", "am abend"), new("MORGEN FRUEH", "morgen früh@1"), new("MORGEN NACHMITTAG", "morgen nachmittag@1"),
        new("SPAETER", "später"), new("ZUERST", "zunächst"), new("DANN", "danach"),
        new("TAG VERLAUF", "im laufe@1 des tages"), new("WOCHENENDE", "am wochenende"),
        new("NAECHSTE TAG", "in den nächsten tagen@1"), new("NEU WOCHE", "in der neuen woche@1"),
        new("MONTAG", "am montag"), new("DIENSTAG", "am dienstag"), new("MITTWOCH", "am mittwoch"),
        new("DONNERSTAG", "am donnerstag"), new("FREITAG", "am freitag"), new("SAMSTAG", "am samstag"),
        new("SONNTAG", "am sonntag"),
    ];

    public static readonly Adverbial[] Places =
    [
        new("NORD", "im norden"), new("SUED", "im süden"), new("OST", "im osten"), new("WEST", "im westen"),
        new("NORDWEST", "im nordwesten"), new("NORDOST", "im nordosten"), new("SUEDWEST", "im südwesten"),
        new("SUEDOST", "im südosten"), new("MITTE", "in der mitte"), new("KUESTE", "an der küste"),
        new("KUESTE NAEHE", "in küstennähe@0+1"), new("NORDSEE", "an der nordsee"), new("OSTSEE", "an der ostsee"),
        new("ALPEN", "an den alpen"), new("ALPEN RAND", "am alpenrand@0+1"), new("BERG", "in den bergen"),
        new("MITTEL BERG", "im mittelgebirge@0+1"), new("FLACH LAND", "im flachland@0+1"), new("BAYERN", "in bayern"),
        new("SUED HAELFTE", "in der südhälfte@0+1"), new("NORD HAELFTE", "in der nordhälfte@0+1"),
        new("OST HAELFTE", "in der osthälfte@0+1"), new("WEST HAELFTE", "in der westhälfte@0+1"),
        new("UEBERALL", "überall"), new("DEUTSCHLAND GANZ", "in ganz@1 deutschland"), new("VIEL ORT", "vielerorts@0+1"),
        new("REGION", "gebietsweise"), new("OBERRHEIN", "am oberrhein"), new("RHEIN", "am rhein"),
        new("ELBE", "an der elbe"), new("DONAU", "an der donau"), new("SCHWARZWALD", "im schwarzwald"),
        new("HARZ", "im harz"), new("EIFEL", "in der eifel"), new("ERZGEBIRGE", "im erzgebirge"),
        new("SACHSEN", "in sachsen"), new("BRANDENBURG", "in brandenburg"), new("HESSEN", "in hessen"),
        new("THUERINGEN", "in thüringen"), new("NIEDERSACHSEN", "in niedersachsen"),
        new("MECKLENBURG", "in mecklenburg"), new("EMSLAND", "im emsland"), new("LAUSITZ", "in der lausitz"),
        new("ALLGAEU", "im allgäu"), new("BERLIN", "in berlin"), new("HAMBURG", "in hamburg"),
        new("MUENCHEN", "in münchen"), new("FRANKEN", "in franken"), new("SAUERLAND", "im sauerland"),
    ];

    private static Phenomenon P(string gloss, Season seasons, params string[] forms)
        => new(gloss, seasons, forms.Select(Realisation.Parse).ToArray());

    private const Season Warm = Season.Spring | Season.Summer;
    private const Season Cold = Season.Winter | Season.Autumn;
    private const Season NotSummer = Season.Winter | Season.Spring | Season.Autumn;

    public static readonly Phenomenon[] Phenomena =
    [
        P("SONNE", Season.Any, "scheint||die sonne||post", "zeigt|sich|die sonne||post", "ist|es|sonnig||pre"),
        P("SONNE VIEL", Season.Any, "gibt|es|viel@1 sonnenschein||pre", "scheint||häufig@1 die sonne||"),
        P("SONNE WOLKE WECHSELN", Season.Any, "wechseln@2|sich|sonne und wolken@1|ab@2|post"),
        P("FREUNDLICH", Season.Any, "wird|es|freundlich||pre", "ist|es|freundlich||pre", "bleibt|es|freundlich||pre"),
        P("WECHSELHAFT", Season.Any, "bleibt|es|wechselhaft||pre", "ist|es|unbeständig||pre", "wird|es|wechselhaft||pre"),
        P("TROCKEN", Season.Any, "bleibt|es|trocken||pre", "ist|es|trocken||pre"),
        P("UEBERWIEGEND TROCKEN", Season.Any, "bleibt|es|meist trocken@1||pre", "bleibt|es|überwiegend trocken@1||pre"),
        P("WOLKE", Season.Any, "ist|es|bewölkt||pre", "gibt|es|wolken||pre", "ziehen||wolken|durch|post"),
        P("WOLKE VIEL", Season.Any, "gibt|es|viele@1 wolken||pre", "ist|es|stark@1 bewölkt||pre"),
        P("WOLKE KOMMEN", Season.Any, "ziehen@1||wolken|auf@1|post", "ziehen@1||dichte wolken|auf@1|post"),
        P("WOLKE AUFLOESEN", Season.Any, "lösen@1|sich|die wolken|auf@1|post"),
        P("NEBEL", Cold, "bildet|sich|nebel||post", "gibt|es|nebel||pre"),
        P("NEBEL DICHT", Cold, "gibt|es|dichten@1 nebel||pre", "bildet|sich|dichter@1 nebel||post"),
        P("NEBEL HOCH", Cold, "gibt|es|hochnebel@0+1||pre", "hält|sich|zäher hochnebel@0+1||post"),
        P("REGEN", Season.Any, "regnet|es|||pre", "fällt||regen||post", "gibt|es|regen||pre"),
        P("REGEN STARK", Season.Any, "fällt||kräftiger@1 regen||post", "regnet|es|kräftig@1||pre", "gibt|es|starken@1 regen||pre"),
        P("REGEN WENIG", Season.Any, "fällt||etwas@1 regen||post", "gibt|es|leichten@1 regen||pre", "regnet|es|leicht@1||pre"),
        P("REGEN DAUER", NotSummer, "regnet|es|länger@1 anhaltend@1||pre", "fällt||länger@1 anhaltender@1 regen||post"),
        P("SCHAUER", Season.Any, "gibt|es|schauer||pre", "fallen||schauer||post"),
        P("SCHAUER VEREINZELT", Season.Any, "gibt|es|vereinzelt@1 schauer||pre", "fallen||einzelne@1 schauer||post"),
        P("SCHAUER MOEGLICH", Season.Any, "sind||schauer möglich@1||"),
        P("GEWITTER", Warm, "gibt|es|gewitter||pre", "kommt|es|zu gewittern||pre", "bilden|sich|gewitter||post"),
        P("GEWITTER MOEGLICH", Warm, "sind||gewitter möglich@1||", "sind||auch gewitter möglich@1||"),
        P("SCHAUER GEWITTER", Warm, "gibt|es|schauer und gewitter@1||pre", "fallen||schauer und gewitter@1||post"),
        P("GEWITTER STARK", Season.Summer, "gibt|es|kräftige@1 gewitter||pre", "ziehen||heftige@1 gewitter|durch|post"),
        P("UNWETTER MOEGLICH", Season.Summer, "sind||unwetter möglich@1||"),
        P("SCHNEE", Season.Winter, "schneit|es|||pre", "fällt||schnee||post"),
        P("SCHNEE REGEN", Cold, "fällt||schneeregen@0+1||post", "gibt|es|schneeregen@0+1||pre"),
        P("SCHNEE SCHAUER", Season.Winter, "gibt|es|schneeschauer@0+1||pre", "fallen||schneeschauer@0+1||post"),
        P("SCHNEE NICHT", Season.Winter, "schneit|es|nicht@1||pre"),
        P("GLATT", Season.Winter, "wird|es|glatt||pre", "besteht||glättegefahr||post"),
        P("FROST", Cold, "gibt|es|frost||pre"),
        P("FROST LEICHT", NotSummer, "gibt|es|leichten@1 frost||pre"),
        P("FROST STARK", Season.Winter, "gibt|es|strengen@1 frost||pre"),
        P("WARM", Warm, "wird|es|warm||pre", "ist|es|warm||pre"),
        P("WARM SEHR", Season.Summer, "wird|es|sehr@1 warm||pre"),
        P("HEISS", Season.Summer, "wird|es|heiß||pre", "ist|es|heiß||pre"),
        P("SCHWUEL", Season.Summer, "ist|es|schwül||pre", "wird|es|schwül||pre"),
        P("KALT", Cold, "wird|es|kalt||pre", "bleibt|es|kalt||pre"),
        P("KUEHL", NotSummer, "bleibt|es|kühl||pre", "ist|es|kühl||pre"),
        P("MILD", NotSummer, "ist|es|mild||pre", "bleibt|es|mild||pre"),
        P("WARM WERDEN", Season.Any, "wird@1|es|wärmer||pre"),
        P("KALT WERDEN", Season.Any, "wird@1|es|kälter||pre", "wird@1|es|kühler||pre"),
        P("MILD WERDEN", NotSummer, "wird@1|es|milder||pre"),
        P("KLAR", Season.Any, "ist|es|klar||pre", "bleibt|es|klar||pre", "ist|der@- himmel@-|klar||pre"),
        P("STURM", Cold, "stürmt|es|||pre", "gibt|es|sturm||pre"),
        P("WIND", Season.Any, "ist|es|windig||pre", "wird|es|windig||pre"),
        P("WIND AUFFRISCHEN", Season.Any, "frischt@1|der wind||auf@1|pre"),
        P("WIND NACHLASSEN", Season.Any, "lässt@1|der wind||nach@1|pre"),
        P("WETTER RUHIG", Season.Any, "bleibt|das wetter|ruhig@1||pre", "beruhigt@1|sich|das wetter||post"),
        P("REGEN NICHT", Season.Any, "regnet|es|nicht@1||pre", "gibt|es|keinen@1 regen||pre"),
        P("SONNE NICHT", Season.Any, "scheint||die sonne nicht@1||"),
        P("KALT NICHT", Cold, "ist|es|nicht@1 so kalt||pre", "wird|es|nicht@1 so kalt||pre"),
        P("FROST NICHT", Cold, "bleibt|es|frostfrei@0+1||pre"),
    ];

    /// Cardinal numbers 0..35 as glosses and German words (index = value).
    public static readonly string[] NumberGlosses =
    [
        "NULL", "EINS", "ZWEI", "DREI", "VIER", "FUENF", "SECHS", "SIEBEN", "ACHT", "NEUN", "ZEHN", "ELF",
        "ZWOELF", "DREIZEHN", "VIERZEHN", "FUENFZEHN", "SECHZEHN", "SIEBZEHN", "ACHTZEHN", "NEUNZEHN", "ZWANZIG",
        "EINUNDZWANZIG", "ZWEIUNDZWANZIG", "DREIUNDZWANZIG", "VIERUNDZWANZIG", "FUENFUNDZWANZIG",
        "SECHSUNDZWANZIG", "SIEBENUNDZWANZIG", "ACHTUNDZWANZIG", "NEUNUNDZWANZIG", "DREISSIG",
        "EINUNDDREISSIG", "ZWEIUNDDREISSIG", "DREIUNDDREISSIG", "VIERUNDDREISSIG", "FUENFUNDDREISSIG",
    ];

    public static readonly string[] NumberWords =
    [
        "null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf",
        "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn", "zwanzig",
        "einundzwanzig", "zweiundzwanzig", "dreiundzwanzig", "vierundzwanzig", "fünfundzwanzig",
        "sechsundzwanzig", "siebenundzwanzig", "achtundzwanzig", "neunundzwanzig", "dreißig",
        "einunddreißig", "zweiunddreißig", "dreiunddreißig", "vierunddreißig", "fünfunddreißig",
    ];

    /// Dative ordinals 1..31 for dates ("den zwölften august"); index 0 unused.
    public static readonly string[] OrdinalWords =
    [
        "", "ersten", "zweiten", "dritten", "vierten", "fünften", "sechsten", "siebten", "achten", "neunten",
        "zehnten", "elften", "zwölften", "dreizehnten", "vierzehnten", "fünfzehnten", "sechzehnten",
        "siebzehnten", "achtzehnten", "neunzehnten", "zwanzigsten", "einundzwanzigsten", "zweiundzwanzigsten",
        "dreiundzwanzigsten", "vierundzwanzigsten", "fünfundzwanzigsten", "sechsundzwanzigsten",
        "siebenundzwanzigsten", "achtundzwanzigsten", "neunundzwanzigsten", "dreißigsten", "einunddreißigsten",
    ];

    public static readonly (string Gloss, string Word)[] Weekdays =
    [
        ("MONTAG", "montag"), ("DIENSTAG", "dienstag"), ("MITTWOCH", "mittwoch"), ("DONNERSTAG", "donnerstag"),
        ("FREITAG", "freitag"), ("SAMSTAG", "samstag"), ("SONNTAG", "sonntag"),
    ];

    /// Months with the season they belong to and their length.
    public static readonly (string Gloss, string Word, Season Season, int Days)[] Months =
    [
        ("JANUAR", "januar", Season.Winter, 31), ("FEBRUAR", "februar", Season.Winter, 28),
        ("MAERZ", "märz", Season.Spring, 31), ("APRIL", "april", Season.Spring, 30), ("MAI", "mai", Season.Spring, 31),
        ("JUNI", "juni", Season.Summer, 30), ("JULI", "juli", Season.Summer, 31), ("AUGUST", "august", Season.Summer, 31),
        ("SEPTEMBER", "september", Season.Autumn, 30), ("OKTOBER", "oktober", Season.Autumn, 31),
        ("NOVEMBER", "november", Season.Autumn, 30), ("DEZEMBER", "dezember", Season.Winter, 31),
    ];

    /// Compass directions: gloss, "aus …" short form, adjective for "aus …lichen richtungen", "nach …" target.
    public static readonly (string Gloss, string Short, string Adjective, string Target)[] Directions =
    [
        ("NORD", "nord", "nördlichen", "norden"), ("NORDOST", "nordost", "nordöstlichen", "nordosten"),
        ("OST", "ost", "östlichen", "osten"), ("SUEDOST", "südost", "südöstlichen", "südosten"),
        ("SUED", "süd", "südlichen", "süden"), ("SUEDWEST", "südwest", "südwestlichen", "südwesten"),
        ("WEST", "west", "westlichen", "westen"), ("NORDWEST", "nordwest", "nordwestlichen", "nordwesten"),
    ];

    /// Wind strengths in increasing order: gloss, adverb, adjective (masculine nominative after "ein").
    public static readonly (string Gloss, string Adverb, string Adjective)[] WindStrengths =
    [
        ("SCHWACH", "schwach", "schwacher"), ("MAESSIG", "mäßig", "mäßiger"), ("FRISCH", "frisch", "frischer"),
        ("STARK", "stark", "starker"), ("STURM", "stürmisch", "stürmischer"),
    ];

    /// Gusts: gloss and German noun phrase.
    public static readonly (string Gloss, string German)[] Gusts =
    [
        ("BOEEN STARK", "starke@1 böen"), ("BOEEN STURM", "stürmische@1 böen"), ("STURM BOEEN", "sturmböen@0+1"),
        ("ORKAN BOEEN", "orkanartige böen@1"), ("BOEEN", "böen"),
    ];

    /// Pressure systems' areas: gloss and "über …" phrase.
    public static readonly (string Gloss, string German)[] Areas =
    [
        ("SKANDINAVIEN", "über skandinavien"), ("BRITANNIEN INSEL", "über den britischen inseln@1"),
        ("FRANKREICH", "über frankreich"), ("POLEN", "über polen"), ("RUSSLAND", "über russland"),
        ("ATLANTIK", "über dem atlantik"), ("NORDSEE", "über der nordsee"), ("OST EUROPA", "über osteuropa@0+1"),
        ("ISLAND", "über island"), ("MITTELMEER", "über dem mittelmeer"), ("BISKAYA", "über der biskaya"),
        ("MITTEL EUROPA", "über mitteleuropa@0+1"), ("DEUTSCHLAND", "über deutschland"), ("ALPEN", "über den alpen"),
    ];

    /// What a high brings: gloss and accusative neuter adjective of "… wetter".
    public static readonly (string Gloss, string Adjective, Season Seasons)[] HighWeather =
    [
        ("RUHIG", "ruhiges", Season.Any), ("FREUNDLICH", "freundliches", Season.Any), ("SONNE", "sonniges", Season.Any),
        ("TROCKEN", "trockenes", Season.Any), ("SOMMER", "sommerliches", Season.Summer),
        ("WINTER", "winterliches", Season.Winter), ("HERBST", "herbstliches", Season.Autumn),
        ("FRUEHLING", "frühlingshaftes", Season.Spring),
    ];

    /// What a low brings: gloss and German noun phrase.
    public static readonly (string Gloss, string German, Season Seasons)[] LowWeather =
    [
        ("REGEN", "regen", Season.Any), ("WOLKE", "viele wolken", Season.Any), ("SCHAUER", "schauer", Season.Any),
        ("WETTER WECHSELHAFT", "unbeständiges@1 wetter", Season.Any), ("WIND", "wind", Season.Any),
        ("SCHNEE", "schnee", Season.Winter), ("GEWITTER", "gewitter", Warm), ("STURM", "sturm", Cold),
    ];

    /// Air masses: gloss and nominative feminine adjective of "… luft".
    public static readonly (string Gloss, string Adjective, Season Seasons)[] AirMasses =
    [
        ("WARM", "warme", Warm), ("KALT", "kalte", Cold), ("FEUCHT", "feuchte", Season.Any),
        ("TROCKEN", "trockene", Season.Any), ("MILD", "milde", NotSummer), ("KUEHL", "kühle", Season.Any),
        ("POLAR", "polare", Season.Winter), ("FEUCHT WARM", "feuchtwarme", Season.Summer),
        ("HEISS", "heiße", Season.Summer), ("MEER", "maritime", Season.Any),
    ];

    /// Outlook adjectives for "geht es … weiter" / "bleibt es …" and comparatives for "wird es wieder …".
    public static readonly (string Gloss, string Positive, string Comparative, Season Seasons)[] Outlook =
    [
        ("WECHSELHAFT", "wechselhaft", "wechselhafter", Season.Any), ("FREUNDLICH", "freundlich", "freundlicher", Season.Any),
        ("SONNE", "sonnig", "sonniger", Season.Any), ("KUEHL", "kühl", "kühler", NotSummer),
        ("WARM", "warm", "wärmer", Warm), ("KALT", "kalt", "kälter", Cold), ("MILD", "mild", "milder", NotSummer),
        ("TROCKEN", "trocken", "trockener", Season.Any), ("SOMMER", "sommerlich", "sommerlicher", Season.Summer),
        ("WINTER", "winterlich", "winterlicher", Season.Winter), ("NASS", "nass", "nasser", Season.Any),
    ];

    /// Closing phrases: what the presenter wishes ("einen schönen abend").
    public static readonly (string Gloss, string German)[] Wishes =
    [
        ("ABEND", "abend"), ("TAG", "tag"), ("WOCHENENDE", "wochenende"), ("SONNTAG", "sonntag"),
        ("SAMSTAG", "samstag"), ("FREITAG", "freitag"), ("NACHT", "nacht"),
    ];
}
